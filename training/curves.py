"""Overlay the training curves of several runs in one figure, e.g. the colorization objectives compared.

    python -m training.curves runs/objectives/* --metrics "val psnr" "val colorfulness" \
        --out docs/figures/colorize-objectives.png

Each run folder's metrics.jsonl (written by every training script) gives one line per run in each panel,
labelled with the folder's name; validation metrics are named "val <key>". With no --metrics the
metrics are listed and nothing is drawn.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gan.cli import command_parser, parse_configs, positional
from gan.plots import logged_metrics, plot_runs


@dataclass
class CurvesConfig:
    """Which runs, which metrics, and where the figure goes."""

    runs: list[Path] = positional()
    metrics: list[str] = field(default_factory=list)
    out: Path = Path("curves.png")


HELP = {
    "runs": "run folders (each with a metrics.jsonl)",
    "metrics": 'metrics to draw, one panel each, e.g. "val psnr" loss_d',
    "out": "PNG file to write",
}


def main(argv: Sequence[str] | None = None) -> None:
    """Draw the figure, or list what the runs logged."""
    parser = command_parser("python -m training.curves", __doc__, (CurvesConfig, HELP), print_config=False)
    args, _ = parse_configs(parser, argv, CurvesConfig)
    without_log = [str(run) for run in args.runs if not (run / "metrics.jsonl").exists()]
    if without_log:
        parser.error(f"no metrics.jsonl in {', '.join(without_log)}")
    runs = {run.name: run for run in args.runs}
    if len(runs) < len(args.runs):
        parser.error("two run folders have the same name; each run is labelled by its folder's name")
    if not args.metrics:
        print("\n".join(logged_metrics(runs)))
        return
    try:
        target = plot_runs(runs, args.metrics, args.out)
    except ValueError as error:
        parser.error(str(error))
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
