"""The one shape of a capability's inference object: `Pipeline.from_pretrained(name, device=...)`.

`colorgan.Colorizer`, `inpaint.Inpainter` and `anomaly.Detector` subclass it: each names its model
class, loads weights through `gan.hub.fetch` (Hub → cache → bundled, a folder only where allowed),
and is called with plain inputs to return a typed result. No Gradio here.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

import torch
from torch import nn

from gan.device import pick_device
from gan.hub import WeightsSource, fetch
from gan.shipped import PipelineRef

P = TypeVar("P", bound="Pipeline")


class Pipeline:
    """A loaded model on a device, with the name it was asked by and where its weights came from."""

    model_class: ClassVar[type[nn.Module]]

    def __init__(self, model: nn.Module, name: str, source: WeightsSource, device: torch.device) -> None:
        self.model, self.name, self.source, self.device = model, name, source, device

    @classmethod
    def from_pretrained(
        cls: type[P],
        name: str | None = None,
        device: str | torch.device = "cpu",
        allow_local: bool = True,
        allow_any_hub: bool = True,
    ) -> P:
        """Load `name` (a shipped model, a Hub repo id (any, or with `allow_any_hub=False` those of weights/hub.json),
        or with `allow_local` a folder) onto `device`."""
        name = name or cls.default_model()
        device = device if isinstance(device, torch.device) else pick_device(device)
        model, source = fetch(cls.model_class, name, allow_local=allow_local, allow_any_hub=allow_any_hub)
        return cls(model.to(device).eval(), name, source, device)

    @classmethod
    def ref(cls) -> PipelineRef:
        """This pipeline and its model class named by path, as the app's menus name them without importing torch."""
        return PipelineRef(
            f"{cls.__module__}:{cls.__qualname__}", model=f"{cls.model_class.__module__}:{cls.model_class.__qualname__}"
        )

    @classmethod
    def shipped_models(cls) -> list[str]:
        """The bundled models of this capability, from weights/hub.json, the default first."""
        return cls.ref().shipped_models()

    @classmethod
    def default_model(cls) -> str:
        """The model loaded when none is named."""
        return cls.ref().default_model()
