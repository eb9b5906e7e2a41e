"""Weights on the Hugging Face Hub and on disk: save with a model card, fetch with fallbacks, publish.

Resolution order of `fetch(name)`: a local folder path (only where allowed) → the Hub repo configured
for `name` in `weights/hub.json` (or `name` itself when it is an `org/repo` id), at its pinned commit,
which huggingface_hub serves from its local cache when offline → the bundled `weights/<name>/` folder.
Only `config.json`, `model.safetensors` and `README.md` are ever fetched: no pickle is loaded, each file's
size is checked on the Hub before the download (`MAX_FILE_BYTES`), and a folder's sizes are checked on the
meta device before its model is built (`check_size`). A server names `allow_any_hub=False`: visitors then
reach only the repos of weights/hub.json; any other repo (where the operator allows them) is kept in a cache
of its own, bounded to `VISITOR_CACHE_REPOS` repos and `VISITOR_CACHE_BYTES`, least recently used first.
"""

from __future__ import annotations

import inspect
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import huggingface_hub.constants
import torch
from huggingface_hub import HfApi, scan_cache_dir, snapshot_download
from huggingface_hub.utils import HFValidationError, validate_repo_id
from safetensors import SafetensorError
from torch import nn
from torch.overrides import TorchFunctionMode

from gan import shipped
from gan.card import ModelCard, write_card
from gan.shipped import hub_config, import_path

log = logging.getLogger(__name__)

WEIGHT_FILES = ["config.json", "model.safetensors", "README.md"]
Model = TypeVar("Model", bound=nn.Module)
# Sizes a weights folder may describe: checked before any model is built (a crafted config.json must not take GBs).
MAX_PARAMETERS = 20_000_000  # the shipped models have at most about 7 million
BYTES_PER_PARAMETER = 4  # float32
MAX_CONFIG_BYTES = 64 * 1024
MAX_CONFIG_NUMBER = 4096  # any number in config.json (widths, depths, sizes)
MAX_CONFIG_LIST = 1024
MAX_CARD_BYTES = 256 * 1024  # README.md: a model card
MAX_FILE_BYTES = {
    "config.json": MAX_CONFIG_BYTES,
    "model.safetensors": BYTES_PER_PARAMETER * MAX_PARAMETERS + MAX_CONFIG_BYTES,
    "README.md": MAX_CARD_BYTES,
}
VISITOR_CACHE_REPOS = 8  # repos outside weights/hub.json kept downloaded at once
VISITOR_CACHE_BYTES = 1024**3
RANDOM_INIT = {
    "normal_",
    "uniform_",
    "trunc_normal_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "orthogonal_",
    "sparse_",
    "random_",
    "bernoulli_",
    "exponential_",
    "geometric_",
    "log_normal_",
    "cauchy_",
}


class WeightsError(ValueError):
    """Weights that cannot be found or do not fit the model; the message says what to do."""


def save_model(model: nn.Module, directory: Path, card: ModelCard) -> Path:
    """Save `model` (a PyTorchModelHubMixin) as config.json + model.safetensors, with its card (card.json +
    README.md)."""
    directory = Path(directory)
    model.save_pretrained(directory)
    write_card(directory, card)
    return directory


def warm_start(model: nn.Module, name: str) -> list[str]:
    """Copy into `model` the weights of `name` (shipped name, Hub repo id or folder) whose names and shapes match.

    The start of a run that goes on from exported weights (when its checkpoints are gone, or to retrain a
    head of another size); returns the names of the tensors left as initialised.
    """
    source, _ = fetch(type(model), name)
    own = model.state_dict()
    fitting = {key: value for key, value in source.state_dict().items() if key in own and own[key].shape == value.shape}
    model.load_state_dict(fitting, strict=False)
    return sorted(set(own) - set(fitting))


def model_class(name: str) -> type[nn.Module] | None:
    """The model class configured for bundled model `name` in weights/hub.json, if any."""
    path = hub_config().get(name, {}).get("class")
    return import_path(path) if path else None


def _shown(name: str) -> str:
    return repr(name) if len(name) <= 80 else repr(name[:77] + "...")


def _read_config(folder: Path) -> dict:
    path = folder / "config.json"
    if not path.is_file():
        raise WeightsError(
            f"{folder.name} has no config.json; a weights folder holds config.json and model.safetensors."
        )
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise WeightsError(f"The config.json of {folder.name} is larger than {MAX_CONFIG_BYTES // 1024} KB.")
    try:
        config = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise WeightsError(
            f"The config.json of {folder.name} is not valid JSON "
            f"({error.msg if hasattr(error, 'msg') else 'not UTF-8'})."
        ) from error
    if not isinstance(config, dict):
        raise WeightsError(f"The config.json of {folder.name} must hold a JSON object.")
    return config


def _check_config_values(config: dict, folder: Path) -> None:
    for key, value in config.items():
        values = value if isinstance(value, list) else [value]
        if len(values) > MAX_CONFIG_LIST or any(
            isinstance(v, (int, float)) and not isinstance(v, bool) and not abs(v) <= MAX_CONFIG_NUMBER for v in values
        ):
            raise WeightsError(
                f"The config.json of {folder.name} sets {_shown(str(key))} beyond this app's limits "
                f"(numbers up to {MAX_CONFIG_NUMBER}, lists up to {MAX_CONFIG_LIST} items)."
            )


class _SkipRandomInit(TorchFunctionMode):
    """Random initialisation of meta tensors is skipped: it has no values to fill, and torch would load its compiler for
    it."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if getattr(func, "__name__", "") in RANDOM_INIT:
            target = next((a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)), None)
            if target is not None and target.is_meta:
                return target
        return func(*args, **kwargs)


def _skeleton(model_cls: type[Model], config: dict, folder: Path) -> nn.Module:
    """The model that `config` describes, built on the meta device: shapes without memory."""
    parameters = inspect.signature(model_cls.__init__).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    kwargs = {k: v for k, v in config.items() if takes_any or (k in parameters and k != "self")}
    try:
        with torch.device("meta"), _SkipRandomInit():
            return model_cls(**kwargs)
    except Exception as error:  # any exception a crafted config can cause while building
        raise WeightsError(
            f"The config.json of {folder.name} does not describe a {model_cls.__name__} ({type(error).__name__})."
        ) from error


def check_size(model_cls: type[nn.Module], folder: Path, max_parameters: int | None = None) -> int:
    """Parameters of the model a weights folder describes, counted without building it; WeightsError beyond the budget.

    config.json is read and bounded, the model is built on the meta device (no memory), and its
    parameter count is compared with `max_parameters` (default MAX_PARAMETERS) and with the size of
    model.safetensors, all before a single weight is allocated.
    """
    folder = Path(folder)
    budget = MAX_PARAMETERS if max_parameters is None else max_parameters
    config = _read_config(folder)
    _check_config_values(config, folder)
    count = sum(p.numel() for p in _skeleton(model_cls, config, folder).parameters())
    if count > budget:
        raise WeightsError(
            f"{folder.name} describes a model of {count / 1e6:.1f} million parameters; this app loads at most "
            f"{budget / 1e6:.0f} million."
        )
    weights = folder / "model.safetensors"
    if weights.is_file() and weights.stat().st_size > BYTES_PER_PARAMETER * budget + MAX_CONFIG_BYTES:
        raise WeightsError(
            f"The model.safetensors of {folder.name} is larger than a {budget / 1e6:.0f}-million-parameter model."
        )
    return count


def _load_folder(model_cls: type[Model], folder: Path) -> Model:
    if not (folder / "model.safetensors").exists():
        raise WeightsError(f"{folder.name} has no model.safetensors; only safetensors weights are loaded.")
    check_size(model_cls, folder)
    try:
        model = model_cls.from_pretrained(folder, strict=True)
    except (RuntimeError, SafetensorError, TypeError, ValueError, json.JSONDecodeError) as error:
        raise WeightsError(
            f"The weights in {folder.name} do not fit a {model_cls.__name__}: {_first_problem(error)}"
        ) from error
    return model.eval()


def _first_problem(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [type(error).__name__]
    detail = lines[1] if len(lines) > 1 and lines[0].endswith(":") else lines[0]
    return detail if len(detail) <= 160 else detail[:157] + "..."


def _check_remote_size(repo: str, revision: str | None) -> None:
    """Refuse a Hub repo any of whose files is over its limit (MAX_FILE_BYTES) before the download (not offline)."""
    if huggingface_hub.constants.HF_HUB_OFFLINE:
        return
    for entry in HfApi().get_paths_info(repo, WEIGHT_FILES, revision=revision):
        limit = MAX_FILE_BYTES.get(entry.path)
        if limit is not None and (getattr(entry, "size", 0) or 0) > limit:
            raise WeightsError(f"The {entry.path} of {repo} is larger than this app takes ({limit // 1024} KB).")


def visitor_cache_dir() -> Path:
    """Where repos outside weights/hub.json are downloaded: a cache of their own beside the Hub cache."""
    return Path(huggingface_hub.constants.HF_HUB_CACHE).parent / "gan-studio-visitor-models"


def prune_visitor_cache(
    cache: Path, max_repos: int = VISITOR_CACHE_REPOS, max_bytes: int = VISITOR_CACHE_BYTES
) -> list[str]:
    """Delete the least recently used repos of `cache` until at most `max_repos` and `max_bytes` remain; their ids."""
    if not cache.is_dir():
        return []
    repos = sorted(scan_cache_dir(cache).repos, key=lambda repo: repo.last_accessed, reverse=True)
    kept, total, dropped = 0, 0, []
    for repo in repos:
        if kept < max_repos and total + repo.size_on_disk <= max_bytes:
            kept, total = kept + 1, total + repo.size_on_disk
            continue
        scan_cache_dir(cache).delete_revisions(*(revision.commit_hash for revision in repo.revisions)).execute()
        dropped.append(repo.repo_id)
    return dropped


def _download(repo: str, revision: str | None, listed: bool = True) -> Path:
    _check_remote_size(repo, revision)
    if listed:
        return Path(snapshot_download(repo, revision=revision, allow_patterns=WEIGHT_FILES))
    cache = visitor_cache_dir()
    folder = Path(snapshot_download(repo, revision=revision, allow_patterns=WEIGHT_FILES, cache_dir=cache))
    for name, limit in MAX_FILE_BYTES.items():
        if (folder / name).is_file() and (folder / name).stat().st_size > limit:
            prune_visitor_cache(cache, max_repos=0)
            raise WeightsError(f"The {name} of {repo} is larger than this app takes ({limit // 1024} KB at most).")
    prune_visitor_cache(cache, max_repos=VISITOR_CACHE_REPOS + 1)
    return folder


def is_repo_id(name: str) -> bool:
    """Whether `name` is a well-formed Hub model id, `org/name` (no paths, no `..`, no `~`)."""
    if name.count("/") != 1:
        return False
    try:
        validate_repo_id(name)
    except HFValidationError:
        return False
    return True


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


def fetch(
    model_cls: type[Model], name: str, allow_local: bool = True, allow_any_hub: bool = True
) -> tuple[Model, WeightsSource]:
    """Load `name` (bundled name, Hub repo id or, with `allow_local`, a folder) and say where it came from.

    A hosted app passes `allow_local=False`: visitors then name bundled models and Hub repos only,
    never folders of the server's disk; and `allow_any_hub=False`: only the repos of weights/hub.json.
    Errors are sentences that name no absolute path.
    """
    if not isinstance(name, str) or not name.strip():
        raise WeightsError("Name a model: a shipped model or a Hub repo id (org/name).")
    name = name.strip()
    name = next((shipped_name for shipped_name, listed in hub_config().items() if listed.get("repo") == name), name)
    entry = hub_config().get(name, {})
    if not entry and allow_local and Path(name).expanduser().is_dir():
        folder = Path(name).expanduser()
        return _load_folder(model_cls, folder), WeightsSource("folder", folder)
    repo = entry.get("repo") or (name if is_repo_id(name) else None)
    bundled = shipped.WEIGHTS_ROOT / name if entry else None
    listed = bool(entry)
    if repo and not listed and not allow_any_hub:
        raise WeightsError(f"{_shown(repo)} is not one of this server's models: name a shipped model (see the list).")
    if repo:
        revision = entry.get("revision")
        try:
            source = WeightsSource("hub", shipped.WEIGHTS_ROOT / name, repo, revision)
            return _load_folder(model_cls, _download(repo, revision, listed)), source
        except WeightsError:
            raise
        except Exception as error:  # offline, unknown repo, revoked token: fall back to bundled
            if bundled is None or not bundled.is_dir():
                raise WeightsError(
                    f"Could not fetch {_shown(repo)} from the Hub ({type(error).__name__}) and no bundled copy exists."
                ) from error
            log.info("Hub fetch of %s failed (%s); using bundled weights", repo, type(error).__name__)
    if bundled is not None and bundled.is_dir():
        return _load_folder(model_cls, bundled), WeightsSource("bundled", bundled)
    if _looks_like_path(name):
        where = "No weights folder was found there" if allow_local else "Folders of this server cannot be named here"
        raise WeightsError(f"{where}: name a shipped model or a Hub repo id (org/name).")
    raise WeightsError(f"No model named {_shown(name)}: name a shipped model or a Hub repo id (org/name).")


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", "~", ".")) or "\\" in name or ":" in name or name.count("/") > 1 or ".." in name


@dataclass(frozen=True)
class Upload:
    """What `publish` sent: the files, and the Hub commit that holds them (None for a dry run)."""

    files: list[str]
    revision: str | None = None


def record_revision(name: str, repo: str, revision: str, class_path: str | None = None) -> None:
    """Pin model `name` to `repo` at commit `revision` in weights/hub.json (added last when new)."""
    config = hub_config()
    entry = config.get(name, {})
    config[name] = {"repo": repo, "revision": revision, "class": class_path or entry.get("class", "")}
    lines = ",\n".join(f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in config.items())
    shipped.HUB_CONFIG.write_text("{\n" + lines + "\n}\n")


def publish(
    directory: Path,
    repo: str,
    *,
    model_cls: type[nn.Module] | None = None,
    token: str | None = None,
    private: bool = False,
    dry_run: bool = False,
    record_as: str | None = None,
) -> Upload:
    """Upload a weights folder (with its model card) to `repo`; return the files and the commit hash of the upload.

    With `model_cls` the folder must first load strictly with `model_cls.from_pretrained`, so
    weights that do not fit their model are never published. With `record_as`, weights/hub.json then
    pins that model name to `repo` at the upload's commit hash, so the app fetches exactly these weights.
    """
    directory = Path(directory)
    missing = [f for f in WEIGHT_FILES if not (directory / f).exists()]
    if missing:
        raise WeightsError(f"{directory.name} is not a complete weights folder: missing {', '.join(missing)}.")
    if model_cls is not None:
        _load_folder(model_cls, directory)
    files = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
    if dry_run:
        return Upload(files)
    api = HfApi(token=token)
    api.create_repo(repo, private=private, exist_ok=True)
    commit = api.upload_folder(
        repo_id=repo, folder_path=str(directory), commit_message=f"Upload {directory.name} from GAN Imaging Studio"
    )
    if record_as:
        class_path = f"{model_cls.__module__}:{model_cls.__qualname__}" if model_cls is not None else None
        record_revision(record_as, repo, commit.oid, class_path)
    return Upload(files, commit.oid)
