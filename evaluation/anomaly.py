"""Score HistoryAD and the baselines on the same split, in one run, and print the tables in both conventions.

    python -m evaluation.anomaly --dataset mnist --anomalous-classes all --protocol fence-gan
        # shipped anomaly-mnist-K-fence-gan
    python -m evaluation.anomaly --dataset fashion-mnist --anomalous-classes 1,8 --train --steps 600
    python -m evaluation.anomaly --dataset mnist --cross-dataset fashion-mnist --models weights/anomaly-{split}
    python -m evaluation.anomaly --dataset svhn --cross-dataset cifar10    (online: torchvision SVHN)

HistoryAD is either loaded (`--models`, a name template: shipped name, Hub repo or folder, `{split}` is the
split's name) or trained in this run (`--train`, with every HistoryAD and training flag; the last WGAN critic
is then scored too). AUPRC is printed with anomalies positive (ours) and with normal images positive and
the negated anomaly score (the Fence-GAN paper's convention), beside AUROC and the anomaly share.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from anomaly.baselines import BASELINES
from anomaly.data import PROTOCOLS, AnomalySplit, make_split
from anomaly.detector import Detector
from anomaly.experiment import (
    HISTORYAD_HELP,
    HistoryADConfig,
    critic_anomaly_scores,
    history_score_panels,
    train_historyad,
)
from anomaly.plots import history_histograms, score_histograms, talk_figures
from anomaly.scoring import DetectionMetrics, detection_metrics
from gan.cli import ConfigError, command_parser, config_json, parse_configs
from gan.data import DataError, dataset_names
from gan.device import pick_device
from gan.hardware import hardware_description
from gan.train import TRAIN_HELP, TrainConfig


@dataclass
class EvaluationConfig:
    """Which splits, which HistoryAD (loaded or trained here), which baselines."""

    dataset: str = "fashion-mnist"
    anomalous_classes: str = ""
    normal_classes: str = ""
    cross_dataset: str = ""
    protocol: str = "ours"
    models: str = "anomaly-{split}"
    train: bool = False
    baselines: str = ",".join(BASELINES)
    baseline_train_size: int = 5000
    train_limit: int = 0
    test_limit: int = 0
    json: str = ""
    figures: str = ""
    threads: int = 1

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ConfigError(f"--protocol must be one of {', '.join(PROTOCOLS)}, got {self.protocol!r}.")
        unknown = sorted(set(self.baseline_names()) - set(BASELINES))
        if unknown:
            raise ConfigError(f"Unknown baselines {', '.join(unknown)}; choose from {', '.join(BASELINES)}.")
        if sum(bool(v) for v in (self.anomalous_classes, self.normal_classes, self.cross_dataset)) != 1:
            raise ConfigError(
                "Name the anomaly with exactly one of --anomalous-classes, --normal-classes or --cross-dataset."
            )
        if min(self.baseline_train_size, self.train_limit, self.test_limit) < 0 or self.threads < 1:
            raise ConfigError("Sizes must be 0 or more and --threads at least 1.")

    def baseline_names(self) -> list[str]:
        """The baselines asked for, in order."""
        return [name for name in self.baselines.split(",") if name]

    def classes(self) -> list[int]:
        """The held-out classes asked for ('all' = the ten)."""
        return (
            list(range(10)) if self.anomalous_classes == "all" else [int(c) for c in self.anomalous_classes.split(",")]
        )


HELP = {
    "dataset": f"normal data, a name of the data registry ({', '.join(dataset_names())}) or folder:PATH",
    "anomalous_classes": "held-out classes, one experiment each: 'all' or a comma list such as 0,1",
    "normal_classes": (
        "comma-separated classes that are normal (e.g. 0,1,8,9 = CIFAR-10 vehicles); the rest are anomalies"
    ),
    "cross_dataset": "train on all of --dataset; this dataset's images are the anomalies",
    "protocol": (
        "ours (train split; the whole test split scored, anomalies positive) or fence-gan (Ngo et al. 2019: all images "
        "pooled, 80 %% of normal ones train, 15 %% normal + 75 %% anomalous test)"
    ),
    "models": "HistoryAD to load per split: a shipped name, Hub repo or folder, {split} replaced by the split's name",
    "train": (
        "train HistoryAD in this run instead (every HistoryAD and training flag applies; run folders under "
        "--run-dir/<split>)"
    ),
    "baselines": f"comma-separated PyOD baselines to run beside HistoryAD, from {', '.join(BASELINES)}; '' for none",
    "baseline_train_size": "normal images the baselines are fitted on (a seeded sample; 0: all)",
    "train_limit": "use at most this many normal training images (0: all)",
    "test_limit": "score at most this many test images per dataset (0: all)",
    "json": "also write every number of the run to this JSON file",
    "figures": (
        "save the talk's figures per split as PNG under this folder: histograms, latent interpolation, Gaussian noise "
        "(and, with --train, score histograms of normal, anomalous and history images at several training times)"
    ),
    "threads": "torch CPU threads",
}


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    return command_parser(
        "python -m evaluation.anomaly",
        __doc__,
        (EvaluationConfig, HELP),
        (HistoryADConfig, HISTORYAD_HELP),
        (TrainConfig, TRAIN_HELP),
        print_config=False,
    )


def splits(config: EvaluationConfig) -> list[AnomalySplit]:
    """The splits the configuration names."""
    options = {"train_limit": config.train_limit or None, "test_limit": config.test_limit or None}
    if config.cross_dataset:
        return [make_split(config.dataset, anomalies=config.cross_dataset, **options)]
    if config.normal_classes:
        return [
            make_split(config.dataset, normal_classes=[int(c) for c in config.normal_classes.split(",")], **options)
        ]
    return [make_split(config.dataset, k, protocol=config.protocol, **options) for k in config.classes()]


def _rows(images: torch.Tensor) -> np.ndarray:
    return images.reshape(len(images), -1).numpy().astype(np.float32)


def evaluate_split(
    split: AnomalySplit, config: EvaluationConfig, historyad: HistoryADConfig, train_config: TrainConfig
) -> tuple[dict[str, DetectionMetrics], dict[str, float], np.ndarray]:
    """Metrics of HistoryAD (and, when trained here, the last WGAN critic) and every baseline; seconds per method;
    HistoryAD's test scores."""
    test, labels = split.test_tensor(), split.test_labels.numpy()
    results, seconds = {}, {}
    started = time.perf_counter()
    if config.train:
        run = TrainConfig(**{**asdict(train_config), "run_dir": str(Path(train_config.run_dir) / split.name)})
        trained = train_historyad(split, historyad, run)
        detector = Detector(trained.model, "trained in this run", "this run", pick_device(train_config.device))
        results["wgan-critic-last"] = detection_metrics(
            labels, critic_anomaly_scores(trained.last_critic, test).numpy()
        )
        if config.figures:
            folder = Path(config.figures) / split.name
            folder.mkdir(parents=True, exist_ok=True)
            history_histograms(history_score_panels(trained, split)).savefig(folder / "history.png")
    else:
        detector = Detector.from_pretrained(config.models.format(split=split.name), device=train_config.device)
    scores = detector.score(test).numpy()
    results = {"historyad": detection_metrics(labels, scores), **results}
    seconds["historyad"] = time.perf_counter() - started
    normal = split.normal_tensor()
    if config.baseline_train_size and config.baseline_train_size < len(normal):
        normal = normal[
            torch.randperm(len(normal), generator=torch.Generator().manual_seed(train_config.seed))[
                : config.baseline_train_size
            ]
        ]
    for name in config.baseline_names():
        started = time.perf_counter()
        results[name] = detection_metrics(
            labels, BASELINES[name].fit_score(_rows(normal), _rows(test), train_config.seed)
        )
        seconds[name] = time.perf_counter() - started
    if config.figures:
        save_figures(split, detector, scores, Path(config.figures) / split.name)
    return results, seconds, scores


def save_figures(split: AnomalySplit, detector: Detector, scores: np.ndarray, folder: Path) -> None:
    """The talk's figures for one split: test-score histograms, score along a latent interpolation, scores under
    noise."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = split.test_labels.numpy().astype(bool)
    model = detector.model
    score_histograms(
        scores[~labels], scores[labels], f"HistoryAD on {split.name}", anomalous_label=model.anomalous_name
    ).savefig(folder / "histograms.png")
    figures = talk_figures(model, split.test_tensor()[~torch.from_numpy(labels)])
    figures.interpolation.savefig(folder / "interpolation.png")
    figures.noise.savefig(folder / "noise.png")


def markdown_table(rows: dict[str, dict[str, DetectionMetrics]], metric: str, chance: str) -> str:
    """Rows = splits, columns = methods, cells = `metric` (best in bold); a mean row when there are several splits."""
    methods = list(next(iter(rows.values())))
    value = lambda m: getattr(m, metric)  # noqa: E731
    lines = [f"| split ({metric}) | " + " | ".join(methods) + f" | {chance} |", "|---" * (len(methods) + 2) + "|"]
    chance_of = (
        (lambda m: m.anomaly_share)
        if metric == "auprc"
        else (lambda m: 1 - m.anomaly_share)
        if metric == "auprc_normal"
        else (lambda m: 0.5)
    )  # noqa: E731
    for name, results in rows.items():
        best = max(value(results[m]) for m in methods)
        cells = [
            f"**{value(results[m]):.3f}**" if value(results[m]) == best else f"{value(results[m]):.3f}" for m in methods
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {chance_of(results[methods[0]]):.3f} |")
    if len(rows) > 1:
        means = [float(np.mean([value(r[m]) for r in rows.values()])) for m in methods]
        best = max(means)
        cells = [f"**{v:.3f}**" if v == best else f"{v:.3f}" for v in means]
        lines.append(
            "| **mean** | "
            + " | ".join(cells)
            + f" | {np.mean([chance_of(r[methods[0]]) for r in rows.values()]):.3f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the experiments the flags ask for and print their tables."""
    parser = build_parser()
    config, historyad, train_config, _ = parse_configs(parser, argv, EvaluationConfig, HistoryADConfig, TrainConfig)
    torch.set_num_threads(config.threads)
    started, rows, record = (
        time.perf_counter(),
        {},
        {"config": json.loads(config_json(config, historyad, train_config)), "splits": {}},
    )
    try:
        for split in splits(config):
            results, seconds, _ = evaluate_split(split, config, historyad, train_config)
            rows[split.name] = results
            record["splits"][split.name] = {
                "results": {m: r.as_dict() for m, r in results.items()},
                "seconds": seconds,
                "n_train": len(split.train),
                "n_test": len(split.test_labels),
            }
            print(
                f"{split.name}: "
                + ", ".join(f"{m} AUPRC {r.auprc:.3f}/AUROC {r.auroc:.3f}" for m, r in results.items()),
                flush=True,
            )
            if config.json:
                Path(config.json).parent.mkdir(parents=True, exist_ok=True)
                Path(config.json).write_text(json.dumps({**record, "seconds": time.perf_counter() - started}, indent=2))
    except (DataError, ValueError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    print()
    print(markdown_table(rows, "auprc", "chance (anomaly share)"))
    print()
    print(markdown_table(rows, "auprc_normal", "chance (normal share)"))
    print()
    print(markdown_table(rows, "auroc", "chance"))
    baselines = "; ".join(BASELINES[name].description for name in config.baseline_names())
    print(
        f"\n{len(rows)} experiment(s) in {time.perf_counter() - started:.0f} s on "
        f"{hardware_description(pick_device(train_config.device))}. Baselines: {baselines}."
    )


if __name__ == "__main__":
    main()
