"""GPU time for the heavy handlers on a Hugging Face Space.

On ZeroGPU Spaces the `spaces` package is installed and `spaces.GPU` attaches a GPU for the duration
of each decorated call; everywhere else (a laptop, a CPU Space, a dedicated-GPU Space, the tests)
`on_gpu` returns the function unchanged, and the models run on the device the app was started with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Handler = TypeVar("Handler", bound=Callable)

try:
    import spaces
except ImportError:  # not on a Space
    spaces = None


def on_gpu(duration: int = 60) -> Callable[[Handler], Handler]:
    """Decorator: run the handler with a ZeroGPU device for up to `duration` seconds, or as it is."""

    def decorate(handler: Handler) -> Handler:
        return spaces.GPU(duration=duration)(handler) if spaces is not None else handler

    return decorate
