"""Resumable training checkpoints, pickle-free and atomic.

A checkpoint is a folder `checkpoint-<step>` holding one safetensors file per module and per
optimiser (optimiser state flattened to tensors, its hyper-parameters in JSON) and `state.json`.
It is written under a temporary name and renamed into place, and `latest` names the newest one,
so a run killed at any moment leaves either the previous checkpoint or the new one, never half.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from torch.optim import Optimizer

LATEST = "latest"
CHECKPOINT_PREFIX = "checkpoint-"


def _flatten_optimizer(optimizer: Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict] = {}
    for param_id, param_state in state["state"].items():
        for key, value in param_state.items():
            if torch.is_tensor(value):
                tensors[f"{param_id}.{key}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(param_id), {})[key] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _unflatten_optimizer(tensors: dict[str, torch.Tensor], meta: dict) -> dict:
    state: dict[int, dict] = {}
    for name, value in tensors.items():
        param_id, key = name.split(".", 1)
        state.setdefault(int(param_id), {})[key] = value
    for param_id, values in meta["scalars"].items():
        state.setdefault(int(param_id), {}).update(values)
    return {"state": state, "param_groups": meta["param_groups"]}


def _folder_name(step: int) -> str:
    return f"{CHECKPOINT_PREFIX}{step:08d}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_checkpoint(
    run_dir: Path,
    step: int,
    modules: dict[str, nn.Module],
    optimizers: dict[str, Optimizer],
    keep: int = 2,
) -> Path:
    """Write the checkpoint of `step` atomically and keep only the newest `keep` ones."""
    run_dir.mkdir(parents=True, exist_ok=True)
    final = run_dir / _folder_name(step)
    tmp = run_dir / f".{_folder_name(step)}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name, module in modules.items():
        save_file(
            {k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}, tmp / f"{name}.safetensors"
        )
    optimizer_meta = {}
    for name, optimizer in optimizers.items():
        tensors, meta = _flatten_optimizer(optimizer)
        save_file(tensors, tmp / f"optimizer-{name}.safetensors")
        optimizer_meta[name] = meta
    (tmp / "state.json").write_text(json.dumps({"step": step, "optimizers": optimizer_meta}))
    for file in tmp.iterdir():
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    pointer_tmp = run_dir / f".{LATEST}.tmp"
    pointer_tmp.write_text(final.name)
    os.replace(pointer_tmp, run_dir / LATEST)
    _fsync_dir(run_dir)
    for old in sorted(run_dir.glob(f"{CHECKPOINT_PREFIX}*"))[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def latest_checkpoint(run_dir: Path) -> Path | None:
    """The checkpoint folder `latest` points to, or None when the run has none."""
    pointer = run_dir / LATEST
    if not pointer.exists():
        return None
    folder = run_dir / pointer.read_text().strip()
    return folder if (folder / "state.json").exists() else None


def checkpoint_at(run_dir: Path, step: int) -> Path | None:
    """The checkpoint folder the run kept for `step`, or None when it kept none."""
    folder = run_dir / _folder_name(step)
    return folder if (folder / "state.json").exists() else None


def kept_steps(run_dir: Path) -> list[int]:
    """The steps whose checkpoints the run keeps, oldest first."""
    return sorted(
        int(folder.name.removeprefix(CHECKPOINT_PREFIX))
        for folder in run_dir.glob(f"{CHECKPOINT_PREFIX}*")
        if (folder / "state.json").exists()
    )


class CheckpointMismatchError(ValueError):
    """A checkpoint whose tensors do not fit the modules built from this command's flags."""


def load_checkpoint(folder: Path, modules: dict[str, nn.Module], optimizers: dict[str, Optimizer]) -> int:
    """Restore modules and optimisers from `folder` and return the step it was saved at.

    Raises CheckpointMismatchError, in one sentence, when a module of other sizes was saved there.
    """
    state = json.loads((folder / "state.json").read_text())
    for name, module in modules.items():
        try:
            module.load_state_dict(load_file(folder / f"{name}.safetensors"))
        except RuntimeError as error:
            detail = next(
                (line.strip() for line in str(error).splitlines() if "size mismatch" in line or "key(s)" in line),
                str(error),
            ).rstrip(".")
            raise CheckpointMismatchError(
                f"{folder} holds a {name} of other sizes than these flags build ({detail}); repeat the run's size "
                "flags."
            ) from None
    for name, optimizer in optimizers.items():
        tensors = load_file(folder / f"optimizer-{name}.safetensors")
        optimizer.load_state_dict(_unflatten_optimizer(tensors, state["optimizers"][name]))
    return int(state["step"])
