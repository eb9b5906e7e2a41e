"""Weights on the Hugging Face Hub and on disk: save with a model card, fetch with fallbacks, publish.

Resolution order of `fetch(name)`: a local folder path → the Hub repo configured for `name` in
`weights/hub.json` (or `name` itself when it looks like `org/repo`), at its pinned revision, which
huggingface_hub serves from its local cache when offline → the bundled `weights/<name>/` folder.
Only `config.json`, `model.safetensors` and `README.md` are ever fetched: no pickle is loaded.
"""
from __future__ import annotations

import importlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from huggingface_hub import HfApi, snapshot_download
from safetensors import SafetensorError
from torch import nn

from gan.data import REPO_ROOT

log = logging.getLogger(__name__)

WEIGHTS_ROOT = REPO_ROOT / "weights"
HUB_CONFIG = WEIGHTS_ROOT / "hub.json"
WEIGHT_FILES = ["config.json", "model.safetensors", "README.md"]
Model = TypeVar("Model", bound=nn.Module)


class WeightsError(ValueError):
    """Weights that cannot be found or do not fit the model; the message says what to do."""


@dataclass
class ModelCard:
    """What a model card says: how the weights were made and what they measure."""

    title: str
    summary: str
    training_data: str
    hardware: str
    training_config: dict = field(default_factory=dict)
    metrics: dict[str, float | str] = field(default_factory=dict)
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    license: str = "mit"

    def render(self) -> str:
        """The README.md text, with Hub front matter."""
        tags = "".join(f"\n- {tag}" for tag in ["gan-imaging-studio", "pytorch", "safetensors", *self.tags])
        metrics = "\n".join(f"| {k} | {v:.4g} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in self.metrics.items())
        config = json.dumps(self.training_config, indent=2, default=str)
        return (
            f"---\nlicense: {self.license}\nlibrary_name: pytorch\ntags:{tags}\n---\n\n"
            f"# {self.title}\n\n{self.summary}\n\n"
            f"## Training data\n\n{self.training_data}\n\n## Hardware\n\n{self.hardware}\n\n"
            f"## Metrics (measured on held-out data)\n\n| metric | value |\n|---|---|\n{metrics}\n\n"
            f"## Training configuration\n\n```json\n{config}\n```\n"
            + (f"\n## Notes\n\n{self.notes}\n" if self.notes else "")
        )


def save_model(model: nn.Module, directory: Path, card: ModelCard) -> Path:
    """Save `model` (a PyTorchModelHubMixin) as config.json + model.safetensors + README.md."""
    directory = Path(directory)
    model.save_pretrained(directory)
    (directory / "README.md").write_text(card.render())
    return directory


def hub_config() -> dict[str, dict[str, str]]:
    """Bundled model name -> {"repo": ..., "revision": ..., "class": "module:Class"} from weights/hub.json."""
    return json.loads(HUB_CONFIG.read_text()) if HUB_CONFIG.exists() else {}


def model_class(name: str) -> type[nn.Module] | None:
    """The model class configured for bundled model `name` in weights/hub.json, if any."""
    path = hub_config().get(name, {}).get("class")
    if not path:
        return None
    module, _, cls = path.partition(":")
    return getattr(importlib.import_module(module), cls)


def _load_folder(model_cls: type[Model], folder: Path) -> Model:
    if not (folder / "model.safetensors").exists():
        raise WeightsError(f"{folder.name} has no model.safetensors; only safetensors weights are loaded.")
    try:
        model = model_cls.from_pretrained(folder, strict=True)
    except (RuntimeError, SafetensorError, TypeError, json.JSONDecodeError) as error:
        raise WeightsError(f"The weights in {folder.name} do not fit a {model_cls.__name__}: {str(error).splitlines()[0]}") from error
    return model.eval()


def _download(repo: str, revision: str | None) -> Path:
    return Path(snapshot_download(repo, revision=revision, allow_patterns=WEIGHT_FILES))


@dataclass(frozen=True)
class WeightsSource:
    """Where loaded weights came from: a local folder, the Hub (repo at a revision) or the bundled copy."""

    kind: str  # "folder" | "hub" | "bundled"
    path: Path
    repo: str | None = None
    revision: str | None = None

    def __str__(self) -> str:
        if self.kind == "hub":
            return f"hub {self.repo}@{self.revision or 'main'}"
        if self.kind == "bundled":
            return f"bundled weights/{self.path.name}"
        return f"folder {self.path.name}"


def shipped_models(class_path: str) -> list[str]:
    """Names of the models in weights/hub.json whose class is `class_path` ("module:Class"), in file order."""
    return [name for name, entry in hub_config().items() if entry.get("class") == class_path]


def fetch(model_cls: type[Model], name: str, allow_local: bool = True) -> tuple[Model, WeightsSource]:
    """Load `name` (bundled name, Hub repo id or, with `allow_local`, a folder) and say where it came from.

    A hosted app passes `allow_local=False`: visitors then name bundled models and Hub repos only,
    never folders of the server's disk.
    """
    name = name.strip()
    if not name:
        raise WeightsError("Name a model: a shipped model or a Hub repo id (org/name).")
    entry = hub_config().get(name, {})
    is_repo_id = "/" in name and not name.startswith(("/", ".", "~")) and name.count("/") == 1 and ".." not in name
    if not entry and allow_local and Path(name).expanduser().is_dir():
        folder = Path(name).expanduser()
        return _load_folder(model_cls, folder), WeightsSource("folder", folder)
    repo = entry.get("repo") or (name if is_repo_id else None)
    bundled = WEIGHTS_ROOT / name if entry else None
    if repo:
        revision = entry.get("revision")
        try:
            return _load_folder(model_cls, _download(repo, revision)), WeightsSource("hub", WEIGHTS_ROOT / name, repo, revision)
        except WeightsError:
            raise
        except Exception as error:  # offline, unknown repo, revoked token: fall back to bundled
            if bundled is None or not bundled.is_dir():
                raise WeightsError(f"Could not fetch {repo!r} from the Hub ({type(error).__name__}) and no bundled copy exists.") from error
            log.info("Hub fetch of %s failed (%s); using bundled weights", repo, type(error).__name__)
    if bundled is not None and bundled.is_dir():
        return _load_folder(model_cls, bundled), WeightsSource("bundled", bundled)
    shown = name if len(name) <= 80 else name[:77] + "..."
    raise WeightsError(f"No model named {shown!r}: name a shipped model or a Hub repo id (org/name).")


def publish(
    directory: Path,
    repo: str,
    *,
    model_cls: type[nn.Module] | None = None,
    token: str | None = None,
    private: bool = False,
    dry_run: bool = False,
) -> list[str]:
    """Upload a weights folder (with its model card) to `repo`; return the files sent or, dry, to send.

    With `model_cls` the folder must first load strictly with `model_cls.from_pretrained`, so
    weights that do not fit their model are never published.
    """
    directory = Path(directory)
    missing = [f for f in WEIGHT_FILES if not (directory / f).exists()]
    if missing:
        raise WeightsError(f"{directory} is not a complete weights folder: missing {', '.join(missing)}.")
    if model_cls is not None:
        _load_folder(model_cls, directory)
    files = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
    if dry_run:
        return files
    api = HfApi(token=token)
    api.create_repo(repo, private=private, exist_ok=True)
    api.upload_folder(repo_id=repo, folder_path=str(directory), commit_message=f"Upload {directory.name} from GAN Imaging Studio")
    return files
