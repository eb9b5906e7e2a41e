"""The one training loop: learns, resumes exactly, writes checkpoints atomically, and runs under DDP."""

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from torch.utils.data import TensorDataset

from colorgan.models import ChromaGANGenerator
from colorgan.task import ColorizationTask, build_critic
from colorgan.variants import get_variant
from gan.checkpoint import latest_checkpoint
from gan.cli import ConfigError
from gan.data import TensorImages, load_image_folder
from gan.train import TrainConfig, best_generator_state, train, training_hardware, training_seconds

REPO = Path(__file__).resolve().parent.parent
PHOTOS = REPO / "tests" / "data" / "photos"


def tiny_colorization_task(variant: str = "chromagan") -> ColorizationTask:
    """A small ChromaGAN-shaped task; every call starts from the same initial weights."""
    torch.manual_seed(0)
    v = get_variant(variant)
    generator = ChromaGANGenerator(base_channels=8, depth=3, max_channels=16, global_channels=16, num_classes=10)
    return ColorizationTask(generator, build_critic(v, 8, 2), v)


def config(run_dir: Path, steps: int, **overrides) -> TrainConfig:
    settings = dict(
        run_dir=str(run_dir),
        steps=steps,
        batch_size=16,
        progress=False,
        log_every=1,
        sample_every=1000,
        checkpoint_every=3,
        device="cpu",
    )
    return TrainConfig(**{**settings, **overrides})


def test_colorization_reconstruction_loss_goes_down_on_real_photos(tmp_path):
    photos = load_image_folder(PHOTOS, size=32)
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
    assert set(p.name for p in folder.iterdir()) == {
        "generator.safetensors",
        "critic.safetensors",
        "optimizer-generator.safetensors",
        "optimizer-critic.safetensors",
        "state.json",
    }
    assert load_file(folder / "generator.safetensors")
    result = train(tiny_colorization_task(), data, config(tmp_path, 4))
    assert result.steps == 4 and latest_checkpoint(tmp_path).name == "checkpoint-00000004"


def test_two_ddp_processes_on_cpu_keep_identical_replicas(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        str(REPO / "tests" / "ddp_worker.py"),
        str(tmp_path),
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert output.returncode == 0, output.stderr[-2000:]
    line = next(line for line in output.stdout.splitlines() if line.startswith("REPLICA_MAX_DIFF"))
    assert float(line.split()[1]) == 0.0 and line.split()[3] == "2"


class CountingCritic(torch.nn.Module):
    """Wraps a critic and counts the critic updates the loop makes (one critic_loss call each)."""

    def __init__(self, task: ColorizationTask) -> None:
        super().__init__()
        self.task, self.calls = task, 0
        original = task.critic_loss

        def counted(*args):
            self.calls += 1
            return original(*args)

        task.critic_loss = counted


@pytest.mark.parametrize(
    ("variant", "expected"), [("chromagan", 5), ("wgan-clip", 5), ("pix2pix", 1), ("lsgan", 1), ("regression", 0)]
)
def test_critic_updates_per_step_are_the_objectives_own(tmp_path, variant, expected):
    data = TensorDataset(torch.rand(64, 3, 16, 16) * 2 - 1, torch.randint(0, 10, (64,)))
    counter = CountingCritic(tiny_colorization_task(variant))
    train(counter.task, data, config(tmp_path, 2, checkpoint_every=100))
    assert counter.calls == 2 * expected
    assert json.loads((tmp_path / "train_config.json").read_text())["n_critic"] == expected


def test_a_flag_overrides_the_objectives_critic_updates(tmp_path):
    data = TensorDataset(torch.rand(64, 3, 16, 16) * 2 - 1, torch.randint(0, 10, (64,)))
    counter = CountingCritic(tiny_colorization_task("chromagan"))
    train(counter.task, data, config(tmp_path, 2, checkpoint_every=100, n_critic=2))
    assert counter.calls == 4


def test_regression_trains_the_generator_alone_and_checkpoints_no_critic(tmp_path):
    data = TensorDataset(torch.rand(64, 3, 16, 16) * 2 - 1, torch.randint(0, 10, (64,)))
    task = tiny_colorization_task("regression")
    before = [p.detach().clone() for p in task.generator.parameters()]
    train(task, data, config(tmp_path, 3))
    assert task.critic is None
    assert any(not torch.equal(a, b) for a, b in zip(before, task.generator.parameters()))
    assert {p.name for p in latest_checkpoint(tmp_path).iterdir()} == {
        "generator.safetensors",
        "optimizer-generator.safetensors",
        "state.json",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("eval_every", 0, "--eval-every must be at least 1"),
        ("sample_every", 0, "--sample-every"),
        ("steps", -5, "--steps"),
        ("n_critic", 0, "--n-critic"),
        ("lr_generator", float("nan"), "Learning rates"),
        ("batch_size", 0, "--batch-size"),
    ],
)
def test_a_bad_training_value_is_refused_with_a_sentence_naming_the_flag(field, value, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**{field: value})


def test_the_training_command_answers_a_bad_flag_with_one_line_not_a_traceback():
    output = subprocess.run(
        [sys.executable, "-m", "training.colorgan", "--sample-every", "0"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert output.returncode == 2
    assert "--sample-every must be at least 1, got 0." in output.stderr and "Traceback" not in output.stderr


def test_the_best_validation_step_is_kept_for_export(tmp_path):
    data = TensorDataset(torch.rand(64, 3, 16, 16) * 2 - 1, torch.randint(0, 10, (64,)))
    eval_batch = (torch.rand(8, 3, 16, 16) * 2 - 1, torch.randint(0, 10, (8,)))
    task = tiny_colorization_task("regression")
    train(task, data, config(tmp_path, 4, eval_every=1, select_metric="psnr"), eval_batch=eval_batch)
    records = [
        json.loads(line)["eval"] | {"step": json.loads(line)["step"]}
        for line in (tmp_path / "metrics.jsonl").read_text().splitlines()
        if "eval" in line
    ]
    best = max(records, key=lambda r: r["psnr"])
    weights, record = best_generator_state(tmp_path)
    assert record["step"] == best["step"] and record["value"] == pytest.approx(best["psnr"])
    assert set(weights) == set(task.generator.state_dict())
    assert (tmp_path / "metrics.png").exists()


def test_selecting_on_a_metric_the_task_does_not_measure_is_a_sentence(tmp_path):
    data = TensorDataset(torch.rand(64, 3, 16, 16) * 2 - 1, torch.randint(0, 10, (64,)))
    eval_batch = (torch.rand(8, 3, 16, 16) * 2 - 1, torch.randint(0, 10, (8,)))
    with pytest.raises(ConfigError, match="'fid' is not a validation metric of this task"):
        train(
            tiny_colorization_task("regression"),
            data,
            config(tmp_path, 2, eval_every=1, select_metric="fid"),
            eval_batch=eval_batch,
        )


def test_training_time_adds_up_every_resumed_segment(tmp_path):
    lines = [
        {"step": 1, "seconds": 10.0},
        {"step": 2, "seconds": 20.0},
        {"step": 2, "eval": {"psnr": 1.0}},
        {"step": 3, "seconds": 5.0},
        {"step": 4, "seconds": 7.5},
    ]
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert training_seconds(tmp_path) == 27.5


def test_a_card_names_the_hardware_each_resumed_segment_trained_on_not_the_exporting_machine(tmp_path):
    data = TensorDataset(torch.rand(16, 3, 16, 16) * 2 - 1, torch.randint(0, 10, (16,)))
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        train(tiny_colorization_task(), data, config(tmp_path, 2))
        torch.set_num_threads(2)
        train(tiny_colorization_task(), data, config(tmp_path, 3))
        torch.set_num_threads(3)  # the export's own thread count is not the training's
        summary = training_hardware(tmp_path, "cpu").line()
    finally:
        torch.set_num_threads(threads)
    assert "1 torch thread(s)" in summary and "2 torch thread(s)" in summary and "3 torch thread(s)" not in summary
    assert summary.endswith("hours of training logged (all resumed segments).")
    assert "CPU (" in training_hardware(tmp_path / "a run from before segments logged hardware", "cpu").line()


def test_the_adversarial_weight_flag_replaces_the_variants_lambda_g_and_refuses_a_negative_one():
    from training.colorgan import ColorizationConfig, chosen_variant

    assert chosen_variant(ColorizationConfig(variant="chromagan-mse")) == get_variant("chromagan-mse")
    tuned = chosen_variant(ColorizationConfig(variant="chromagan-mse", adversarial_weight=0.02))
    assert tuned.adversarial_weight == 0.02 and tuned.class_weight == get_variant("chromagan-mse").class_weight
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ConfigError, match="--adversarial-weight must be a finite number of 0 or more"):
            ColorizationConfig(adversarial_weight=bad)


PRIOR_FLAGS = [
    "--dataset",
    f"folder:{PHOTOS}",
    "--image-size",
    "8",
    "--latent-dim",
    "8",
    "--generator-channels",
    "4",
    "--critic-channels",
    "4",
    "--batch-size",
    "4",
    "--val-images",
    "4",
    "--test-images",
    "0",
    "--no-progress",
    "--threads",
    "1",
    "--device",
    "cpu",
]


def test_a_prior_whose_checkpoints_are_gone_goes_on_from_its_exported_weights(tmp_path):
    from inpaint.prior import InpaintPrior
    from training.inpaint_prior import main as train_prior

    tiny = PRIOR_FLAGS + ["--steps", "1", "--lr-generator", "1e-12", "--lr-critic", "1e-12"]
    train_prior(tiny + ["--run-dir", str(tmp_path / "first"), "--weights-out", str(tmp_path / "exported")])
    train_prior(
        tiny
        + [
            "--run-dir",
            str(tmp_path / "again"),
            "--weights-out",
            str(tmp_path / "again-out"),
            "--init-from",
            str(tmp_path / "exported"),
            "--seed",
            "7",
        ]
    )
    exported = dict(InpaintPrior.from_pretrained(tmp_path / "exported").named_parameters())
    went_on = InpaintPrior.from_pretrained(
        tmp_path / "again-out"
    )  # one step at a vanishing learning rate: still the exported weights
    assert all(torch.allclose(value, exported[key], atol=1e-6) for key, value in went_on.named_parameters())
    assert "warm-started from" in (tmp_path / "again-out" / "README.md").read_text()


def test_a_warm_start_from_a_prior_of_other_sizes_is_one_sentence(tmp_path, capsys):
    from training.inpaint_prior import main as train_prior

    train_prior(
        PRIOR_FLAGS
        + ["--steps", "1", "--run-dir", str(tmp_path / "first"), "--weights-out", str(tmp_path / "exported")]
    )
    with pytest.raises(SystemExit) as exit_info:
        train_prior(
            PRIOR_FLAGS
            + [
                "--generator-channels",
                "8",
                "--steps",
                "1",
                "--run-dir",
                str(tmp_path / "wider"),
                "--init-from",
                str(tmp_path / "exported"),
            ]
        )
    assert exit_info.value.code == 2
    assert "does not fit this prior's sizes" in capsys.readouterr().err


COLORIZER_FLAGS = [
    "--variant",
    "regression",
    "--data",
    f"folder:{PHOTOS}",
    "--image-size",
    "16",
    "--depth",
    "2",
    "--base-channels",
    "4",
    "--max-channels",
    "8",
    "--global-channels",
    "8",
    "--val-images",
    "4",
    "--eval-images",
    "0",
    "--batch-size",
    "4",
    "--checkpoint-every",
    "1",
    "--keep-checkpoints",
    "3",
    "--no-progress",
    "--threads",
    "1",
    "--device",
    "cpu",
]


@dataclass
class CommandOutput:
    """What a command line left: its exit code and what it wrote to stderr."""

    returncode: int
    stderr: str


def colorgan_command(*flags: str, check: bool = False) -> CommandOutput:
    """`python -m training.colorgan` with the tiny colorizer's flags and `flags`, run in this process (an exception
    other than the parser's exit fails the test, as a traceback would)."""
    from training.colorgan import main as train_colorizer

    stderr, code = io.StringIO(), 0
    with contextlib.redirect_stderr(stderr):
        try:
            train_colorizer(COLORIZER_FLAGS + list(flags))
        except SystemExit as stop:
            code = int(stop.code or 0)
    if check and code:
        raise AssertionError(f"training.colorgan exited with {code}: {stderr.getvalue()}")
    return CommandOutput(code, stderr.getvalue())


def test_export_only_exports_the_checkpoint_of_the_asked_step_and_names_it_in_the_card(tmp_path):
    from training.colorgan import main as train_colorizer

    run_dir = tmp_path / "run"
    train_colorizer(COLORIZER_FLAGS + ["--steps", "3", "--lr-generator", "1e-2", "--run-dir", str(run_dir)])
    train_colorizer(
        COLORIZER_FLAGS
        + ["--run-dir", str(run_dir), "--export-only", "--export-step", "2", "--weights-out", str(tmp_path / "step-2")]
    )
    exported, kept = (
        load_file(tmp_path / "step-2" / "model.safetensors"),
        load_file(run_dir / "checkpoint-00000002" / "generator.safetensors"),
    )
    latest = load_file(run_dir / "checkpoint-00000003" / "generator.safetensors")
    assert all(torch.equal(exported[name], kept[name]) for name in kept)
    assert not all(torch.equal(exported[name], latest[name]) for name in latest)
    assert "Step 2 exported (--export-step)." in (tmp_path / "step-2" / "README.md").read_text()


def test_an_export_only_card_describes_the_run_as_it_trained_not_the_export_flags(tmp_path):
    from training.colorgan import main as train_colorizer

    run_dir = tmp_path / "run"
    train_colorizer(COLORIZER_FLAGS + ["--steps", "2", "--seed", "3", "--cosine-schedule", "--run-dir", str(run_dir)])
    train_colorizer(
        COLORIZER_FLAGS
        + ["--batch-size", "2", "--run-dir", str(run_dir), "--export-only", "--weights-out", str(tmp_path / "out")]
    )
    card = (tmp_path / "out" / "README.md").read_text()
    recipe = json.loads(card.split("```json\n")[1].split("```")[0])
    assert (recipe["batch_size"], recipe["seed"], recipe["cosine_schedule"], recipe["steps"]) == (4, 3, True, 2)
    assert "Step 2 of 2 exported (the latest)." in card


def test_exporting_or_resuming_a_run_with_other_size_flags_is_one_sentence_not_a_traceback(tmp_path):
    run_dir = tmp_path / "run"
    colorgan_command("--steps", "1", "--run-dir", str(run_dir), check=True)
    output = colorgan_command(
        "--base-channels", "6", "--run-dir", str(run_dir), "--export-only", "--weights-out", str(tmp_path / "out")
    )
    assert output.returncode == 2 and "Traceback" not in output.stderr
    assert "holds a generator of other sizes than these flags build (size mismatch for" in output.stderr
    assert "repeat the run's size flags" in output.stderr and not (tmp_path / "out").exists()
    resumed = colorgan_command("--base-channels", "6", "--steps", "2", "--run-dir", str(run_dir))
    assert (
        resumed.returncode == 2 and "Traceback" not in resumed.stderr and "--run-dir resumes a run:" in resumed.stderr
    )


def test_an_export_step_without_export_only_is_refused_in_one_sentence():
    from training.export import WarmStartConfig

    with pytest.raises(ConfigError, match="--export-step chooses what --export-only exports; add --export-only."):
        WarmStartConfig(export_step=300)


@pytest.mark.parametrize(
    "script", ["training.colorgan", "training.inpaint_prior", "training.anomaly", "training.fid_classifier"]
)
def test_every_training_script_takes_the_same_export_flags(script):
    import importlib

    from training.export import EXPORT_HELP

    text = importlib.import_module(script).build_parser().format_help()
    for field in EXPORT_HELP:
        assert "--" + field.replace("_", "-") in text


def test_exporting_a_step_the_run_did_not_keep_is_one_sentence_listing_the_kept_steps(tmp_path):
    run_dir = tmp_path / "run"
    colorgan_command("--steps", "2", "--run-dir", str(run_dir), check=True)
    output = colorgan_command(
        "--run-dir", str(run_dir), "--export-only", "--export-step", "7", "--weights-out", str(tmp_path / "out")
    )
    assert output.returncode == 2 and "Traceback" not in output.stderr
    assert f"a checkpoint of step 7 (steps kept in {run_dir}: 1, 2)" in output.stderr
