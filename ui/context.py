"""What every tab receives from the app: the device, the model policy, the lazy model cache, where state lives.

Tabs never call `from_pretrained` themselves: `ctx.load(COLORIZER, name)` loads a model the first time a
request needs it (not when the app starts), keeps it for the next requests, and applies the one model-name
policy of the app: visitors name shipped models (and their Hub repos); other Hub repos only when the operator
started `python app.py --allow-any-hub-model`, folders of the server's disk only with `--allow-local-models`.
Importing this module does not import torch: the
first model loaded brings it in, in `preload`'s background thread or in the first request that needs one.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gan.shipped import PipelineRef
from naturalness.store import default_votes_db

if TYPE_CHECKING:
    from gan.pipeline import Pipeline

log = logging.getLogger(__name__)
# Parameters kept loaded at once, all models together (float32: 4 bytes each); least recently used go first.
CACHED_PARAMETERS = 50_000_000


def parameter_count(pipeline: Pipeline) -> int:
    """Number of parameters of a loaded pipeline's model."""
    return sum(p.numel() for p in pipeline.model.parameters())


@dataclass
class AppContext:
    """Settings shared by the tabs, and the models loaded so far."""

    device: str = "auto"  # a torch device name, resolved ("auto": the best one present) when the first model loads
    votes_db: str = field(default_factory=default_votes_db)
    allow_local_models: bool = False
    allow_any_hub_model: bool = False
    cached_parameters: int = CACHED_PARAMETERS
    _models: OrderedDict = field(default_factory=OrderedDict, init=False, repr=False)
    _loading: dict = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def load(self, pipeline: PipelineRef, name: str | None = None) -> Any:
        """The `pipeline` model `name` (None or blank: its default) on this app's device, loaded once.

        Thread-safe: concurrent first requests for one model load it once. Raises `WeightsError` with a
        sentence for the user when the name is not a shipped model or a Hub repo (or, with
        `allow_local_models`, a weights folder); failures are not cached.
        """
        from gan.hub import WeightsError

        if name is not None and not isinstance(name, str):
            raise WeightsError("Name a model: a shipped model or a Hub repo id (org/name).")
        name = (name or "").strip() or pipeline.default_model()
        key = (pipeline, name, self.device)
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            key_lock = self._loading.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._models:
                    return self._models[key]
            try:
                policy = {"allow_local": self.allow_local_models, "allow_any_hub": self.allow_any_hub_model}
                loaded = pipeline.resolve().from_pretrained(name, device=self.device, **policy)
            finally:
                with self._lock:
                    self._loading.pop(key, None)
            with self._lock:
                self._models[key] = loaded
                self._evict()
        return loaded

    def preload(self, pipelines: Sequence[PipelineRef]) -> threading.Thread:
        """Load the default model of each of `pipelines` in a background thread (a failure is logged, and the tab loads
        on demand)."""

        def load_all() -> None:
            for pipeline in pipelines:
                try:
                    self.load(pipeline)
                except Exception as error:  # noqa: BLE001 -- a preload must never take the server down; the request path reports it
                    log.warning("preloading %s failed: %s", pipeline.pipeline, error)

        thread = threading.Thread(target=load_all, name="preload-models", daemon=True)
        thread.start()
        return thread

    def loaded_models(self) -> list[tuple[str, str]]:
        """(pipeline class name, model name) of the models held now, least recently used first."""
        with self._lock:
            return [(ref.pipeline.partition(":")[2], name) for ref, name, _ in self._models]

    def _evict(self) -> None:
        total = sum(parameter_count(p) for p in self._models.values())
        while total > self.cached_parameters and len(self._models) > 1:
            _, dropped = self._models.popitem(last=False)
            total -= parameter_count(dropped)
