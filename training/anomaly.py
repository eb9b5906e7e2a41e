"""Train a HistoryAD anomaly detector on one split and export its weights with a measured model card.

    python -m training.anomaly --dataset mnist --anomalous-class 0 --protocol fence-gan \
        --run-dir runs/anomaly-mnist-0-fence-gan --weights-out weights/anomaly-mnist-0-fence-gan
    python -m training.anomaly --dataset mnist --cross-dataset fashion-mnist \
        --weights-out weights/anomaly-mnist-vs-fashion-mnist
    python -m training.anomaly --dataset cifar10 --normal-classes 0,1,8,9 --device cuda

Data come from the registry (gan.data). The WGAN's length, batch, learning rates and n_critic are the
shared training flags (--steps, --batch-size, ...); HistoryAD's own are --alpha, --beta (in epochs),
--dtv-steps and so on. A killed run resumes from its last checkpoint and its saved states when started
again with the same --run-dir. The card carries AUPRC/AUROC on the split's test images, measured here.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from anomaly.data import PROTOCOLS, AnomalySplit, make_split
from anomaly.experiment import HISTORYAD_HELP, HistoryADConfig, TrainedHistoryAD, critic_anomaly_scores, train_historyad
from anomaly.model import HistoryADModel
from anomaly.scoring import detection_metrics
from gan.card import ModelCard
from gan.cli import ConfigError, command_parser, config_json, parse_configs
from gan.data import DataError, dataset_names, describe, weights_license
from gan.hub import save_model
from gan.train import TRAIN_HELP, TrainConfig, init_distributed, training_hardware
from training.export import EXPORT_HELP, ExportConfig, publish_export, use_threads


@dataclass
class AnomalyDataConfig:
    """What is normal and what is the anomaly."""

    dataset: str = "mnist"
    anomalous_class: int = -1
    normal_classes: str = ""
    cross_dataset: str = ""
    protocol: str = "fence-gan"
    train_limit: int = 0

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ConfigError(f"--protocol must be one of {', '.join(PROTOCOLS)}, got {self.protocol!r}.")
        if sum((self.anomalous_class >= 0, bool(self.normal_classes), bool(self.cross_dataset))) != 1:
            raise ConfigError(
                "Name the anomaly with exactly one of --anomalous-class, --normal-classes or --cross-dataset."
            )
        if self.train_limit < 0:
            raise ConfigError(f"--train-limit must be 0 or more, got {self.train_limit}.")


DATA_HELP = {
    "dataset": f"normal data, a name of the data registry ({', '.join(dataset_names())}) or folder:PATH",
    "anomalous_class": "the class held out of training, the anomaly at test time",
    "normal_classes": "comma-separated classes that are normal (the others are anomalies)",
    "cross_dataset": "train on all of --dataset; this dataset's images are the anomalies",
    "protocol": (
        "with --anomalous-class: ours (registry train split, whole test split) or fence-gan (Ngo et al. 2019 split of "
        "all images)"
    ),
    "train_limit": "use at most this many normal training images, drawn with the seed (0: all)",
}


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    return command_parser(
        "python -m training.anomaly",
        __doc__,
        (AnomalyDataConfig, DATA_HELP),
        (HistoryADConfig, HISTORYAD_HELP),
        (TrainConfig, TRAIN_HELP),
        (ExportConfig, EXPORT_HELP),
    )


def load_split(config: AnomalyDataConfig, seed: int) -> AnomalySplit:
    """The split the flags name."""
    normal = [int(c) for c in config.normal_classes.split(",")] if config.normal_classes else None
    return make_split(
        config.dataset,
        config.anomalous_class,
        normal,
        config.cross_dataset,
        config.protocol,
        train_limit=config.train_limit or None,
        seed=seed,
    )


def measure(split: AnomalySplit, trained: TrainedHistoryAD) -> dict[str, float]:
    """Metrics of the model and of the last WGAN critic on the validation and test images."""
    metrics: dict[str, float] = {}
    for part, images, labels in (
        ("test", split.test_tensor(), split.test_labels),
        ("val", split.val_tensor(), split.val_labels),
    ):
        ours = detection_metrics(labels.numpy(), trained.model.score(images).numpy())
        last = detection_metrics(labels.numpy(), critic_anomaly_scores(trained.last_critic, images).numpy())
        metrics.update(
            {
                f"{part} AUPRC, anomalies positive": ours.auprc,
                f"{part} AUPRC, normal positive (Fence-GAN)": ours.auprc_normal,
                f"{part} AUROC": ours.auroc,
                f"{part} anomaly share": ours.anomaly_share,
                f"{part} AUPRC of the last WGAN critic": last.auprc,
            }
        )
    return metrics


def model_card(
    name: str,
    split: AnomalySplit,
    config: AnomalyDataConfig,
    historyad: HistoryADConfig,
    train_config: TrainConfig,
    trained: TrainedHistoryAD,
    metrics: dict[str, float],
    device: torch.device,
) -> ModelCard:
    """The card of one exported model: data, protocol, hardware and time measured, metrics measured."""
    held_out = (
        f"class {split.anomalous_class} ({split.class_names[split.anomalous_class]}) is the anomaly"
        if split.anomalous_class >= 0
        else f"anomalies: {split.anomaly_dataset or 'the other classes'}"
    )
    return ModelCard(
        name=name,
        task=f"anomaly detection with HistoryAD on {split.dataset}: {held_out}",
        summary=(
            "Total-variation critic D_TV of HistoryAD (Chatillon & Ballester 2020) with the last WGAN-GP generator "
            "(for the latent-interpolation figure). Anomaly score = −D_TV(x), higher = more anomalous. Load with "
            "`anomaly.Detector.from_pretrained`."
        ),
        training_data=(
            f"{describe(split.dataset)}. Protocol `{split.protocol}`; {held_out}. {len(split.train)} normal training "
            f"images, {len(split.test_labels)} test images, {len(split.val_labels)} validation images; content "
            f"{split.content_size}px in a {split.image_size}px frame."
        ),
        hardware=training_hardware(
            Path(train_config.run_dir),
            device,
            detail=f"Last session: WGAN-GP {trained.seconds['gan'] / 60:.1f} min "
            f"({train_config.steps / trained.steps_per_epoch:.1f} epochs), D_TV {trained.seconds['dtv'] / 60:.1f} min.",
        ),
        training_config=json.loads(config_json(config, historyad, train_config)),
        metrics=metrics,
        tags=["anomaly-detection", "historyad", split.dataset],
        license=weights_license("+".join(filter(None, [split.dataset, split.anomaly_dataset]))),
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Train, measure, export and optionally publish."""
    parser = build_parser()
    config, historyad, train_config, output, args = parse_configs(
        parser, argv, AnomalyDataConfig, HistoryADConfig, TrainConfig, ExportConfig
    )
    if args.print_config:
        print(config_json(config, historyad, train_config, output))
        return
    use_threads(output)
    try:
        split = load_split(config, train_config.seed)
    except DataError as error:
        parser.error(str(error))
    started = time.perf_counter()
    trained = train_historyad(split, historyad, train_config)
    print(f"trained {split.name} in {time.perf_counter() - started:.0f} s")
    if not output.weights_out or not init_distributed(train_config.device).is_main:
        return
    metrics = measure(split, trained)
    device = next(trained.model.parameters()).device
    card = model_card(Path(output.weights_out).name, split, config, historyad, train_config, trained, metrics, device)
    folder = save_model(trained.model.cpu(), Path(output.weights_out), card)
    print(f"saved {folder}: " + ", ".join(f"{k} {v:.3f}" for k, v in metrics.items() if k.startswith("test")))
    publish_export(folder, output, HistoryADModel)


if __name__ == "__main__":
    main()
