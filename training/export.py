"""What the training scripts share around a run: where its weights go, where it starts from, its CPU threads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from gan.checkpoint import checkpoint_at, kept_steps, latest_checkpoint
from gan.cli import ConfigError
from gan.hub import publish


@dataclass
class ExportConfig:
    """Where the trained weights go, and how many CPU threads train them."""

    weights_out: str = ""
    push_to_hub: str = ""
    threads: int = 0

    def __post_init__(self) -> None:
        if self.threads < 0:
            raise ConfigError(f"--threads must be 0 (torch's default) or more, got {self.threads}.")
        if self.push_to_hub and not self.weights_out:
            raise ConfigError("--push-to-hub publishes the exported folder: add --weights-out.")


EXPORT_HELP = {
    "weights_out": "folder to export the trained model to (config.json + model.safetensors + README.md model card); "
    "empty: no export",
    "push_to_hub": "Hub repo id (org/name) to publish the exported weights to; needs HF_TOKEN or a login",
    "threads": "torch CPU threads (0 keeps torch's default)",
}


@dataclass
class WarmStartConfig:
    """Where a run starts from, and exporting a run's checkpoint without training."""

    init_from: str = ""
    export_only: bool = False
    export_step: int = 0

    def __post_init__(self) -> None:
        if self.export_step < 0:
            raise ConfigError(f"--export-step must be 0 or more, got {self.export_step}.")
        if self.export_step and not self.export_only:
            raise ConfigError("--export-step chooses what --export-only exports; add --export-only.")


WARM_START_HELP = {
    "init_from": "warm-start from these exported weights (shipped name, Hub repo id or folder) before step 0, e.g. "
    "when the run's checkpoints are gone; a run that has checkpoints resumes from them instead",
    "export_only": "train nothing: export a checkpoint of the run to --weights-out (its best validation step where the "
    "run selects one, else its latest), e.g. while the run goes on",
    "export_step": "with --export-only: export the checkpoint the run kept for this step instead "
    "(0: the best or latest)",
}


def use_threads(config: ExportConfig) -> None:
    """Set torch's CPU threads when --threads asks for a number."""
    if config.threads:
        torch.set_num_threads(config.threads)


def checkpoint_to_export(run_dir: Path, warm: WarmStartConfig, export: ExportConfig) -> Path:
    """The checkpoint --export-only exports (--export-step's, else the latest); a sentence when there is none."""
    checkpoint = checkpoint_at(run_dir, warm.export_step) if warm.export_step else latest_checkpoint(run_dir)
    if checkpoint is None or not export.weights_out:
        wanted = f"a checkpoint of step {warm.export_step}" if warm.export_step else "a checkpoint"
        kept = ", ".join(map(str, kept_steps(run_dir))) or "none"
        raise ConfigError(
            f"--export-only needs --weights-out and a run folder with {wanted} (steps kept in {run_dir}: {kept})."
        )
    return checkpoint


def publish_export(folder: Path, export: ExportConfig, model_cls: type[nn.Module]) -> None:
    """Publish the exported `folder` to the Hub repo of --push-to-hub, if one is named."""
    if export.push_to_hub:
        publish(folder, export.push_to_hub, model_cls=model_cls)
        print(f"Published to https://huggingface.co/{export.push_to_hub}")
