"""The one training loop: learns, resumes exactly, writes checkpoints atomically, and runs under DDP."""
import json
import os
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch.utils.data import TensorDataset

from colorgan.models import ChromaGANGenerator
from colorgan.task import ColorizationTask, build_critic
from colorgan.variants import get_variant
from gan.checkpoint import latest_checkpoint
from gan.data import TensorImages, load_cifar10
from gan.train import TrainConfig, train

REPO = Path(__file__).resolve().parent.parent


def tiny_colorization_task(variant: str = "chromagan") -> ColorizationTask:
    """A small ChromaGAN-shaped task; every call starts from the same initial weights."""
    torch.manual_seed(0)
    v = get_variant(variant)
    return ColorizationTask(ChromaGANGenerator(base_channels=8, depth=3, max_channels=16, num_classes=10), build_critic(v, 8, 2), v)


def config(run_dir: Path, steps: int, **overrides) -> TrainConfig:
    return TrainConfig(run_dir=str(run_dir), steps=steps, batch_size=16, progress=False, log_every=1, sample_every=1000, checkpoint_every=3, device="cpu", **overrides)


def test_colorization_reconstruction_loss_goes_down_on_real_photos(tmp_path):
    photos = load_cifar10("train").subset(torch.arange(50000) < 512)
    train(tiny_colorization_task("pix2pix"), TensorImages(photos), config(tmp_path, 40, lr_generator=1e-3))
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    losses = [r["reconstruction"] for r in records if "reconstruction" in r]
    assert sum(losses[-10:]) / 10 < 0.75 * losses[0]


def test_a_resumed_run_ends_with_exactly_the_weights_of_an_uninterrupted_one(tmp_path):
    data = TensorDataset(torch.rand(96, 3, 16, 16) * 2 - 1, torch.randint(0, 10, (96,)))
    straight = tiny_colorization_task()
    train(straight, data, config(tmp_path / "straight", 6))
    interrupted = tiny_colorization_task()
    train(interrupted, data, config(tmp_path / "resumed", 3))
    resumed = tiny_colorization_task()
    result = train(resumed, data, config(tmp_path / "resumed", 6))
    assert result.steps == 6
    for a, b in zip(straight.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)


def test_checkpoints_are_safetensors_and_a_half_written_one_is_ignored(tmp_path):
    data = TensorDataset(torch.rand(64, 3, 16, 16) * 2 - 1, torch.randint(0, 10, (64,)))
    train(tiny_colorization_task(), data, config(tmp_path, 3))
    (tmp_path / ".checkpoint-00000006.tmp").mkdir()
    folder = latest_checkpoint(tmp_path)
    assert folder.name == "checkpoint-00000003"
    assert set(p.name for p in folder.iterdir()) == {"generator.safetensors", "critic.safetensors", "optimizer-generator.safetensors", "optimizer-critic.safetensors", "state.json"}
    assert load_file(folder / "generator.safetensors")
    result = train(tiny_colorization_task(), data, config(tmp_path, 4))
    assert result.steps == 4 and latest_checkpoint(tmp_path).name == "checkpoint-00000004"


def test_two_ddp_processes_on_cpu_keep_identical_replicas(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", str(REPO / "tests" / "ddp_worker.py"), str(tmp_path)]
    output = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert output.returncode == 0, output.stderr[-2000:]
    line = next(line for line in output.stdout.splitlines() if line.startswith("REPLICA_MAX_DIFF"))
    assert float(line.split()[1]) == 0.0 and line.split()[3] == "2"
