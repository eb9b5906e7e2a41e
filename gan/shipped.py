"""The shipped models, read from `weights/hub.json` without importing torch, and pipelines named by path.

The app builds its menus from here before any model is loaded: `PipelineRef` names a capability's
inference class and the model class its weights are listed under, and imports it on first use.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_ROOT = REPO_ROOT / "weights"
HUB_CONFIG = WEIGHTS_ROOT / "hub.json"


def hub_config() -> dict[str, dict[str, str]]:
    """Bundled model name -> {"repo": ..., "revision": ..., "class": "module:Class"} from weights/hub.json."""
    return json.loads(HUB_CONFIG.read_text()) if HUB_CONFIG.exists() else {}


def shipped_models(class_path: str) -> list[str]:
    """Names of the models in weights/hub.json whose class is `class_path` ("module:Class"), in file order."""
    return [name for name, entry in hub_config().items() if entry.get("class") == class_path]


def import_path(path: str) -> type:
    """The object named by "module:Name", imported."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class PipelineRef:
    """A capability's inference class ("module:Class") and its model class, named without importing either."""

    pipeline: str
    model: str

    def resolve(self) -> type:
        """The inference class itself (imports it, and torch with it)."""
        return import_path(self.pipeline)

    def shipped_models(self) -> list[str]:
        """The bundled models of this capability, the default first."""
        return shipped_models(self.model)

    def default_model(self) -> str:
        """The model loaded when none is named."""
        names = self.shipped_models()
        if not names:
            raise LookupError(f"weights/hub.json lists no {self.model} model.")
        return names[0]
