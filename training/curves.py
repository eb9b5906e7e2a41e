"""Overlay the training curves of several runs in one figure, e.g. the colorization objectives compared.

    python -m training.curves runs/objectives/* --metrics "val psnr" "val colorfulness" \
        --out docs/figures/colorize-objectives.png

Each run folder's metrics.jsonl (written by every training script) gives one line per run in each panel,
labelled with the folder's name; validation metrics are named "val <key>". With no --metrics the
metrics are listed and nothing is drawn.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gan.plots import logged_metrics, plot_runs


def main(argv: Sequence[str] | None = None) -> None:
    """Draw the figure, or list what the runs logged."""
    parser = argparse.ArgumentParser(prog="python -m training.curves", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="run folders (each with a metrics.jsonl)")
    parser.add_argument("--metrics", nargs="*", default=[], help='metrics to draw, one panel each, e.g. "val psnr" loss_d')
    parser.add_argument("--out", type=Path, default=Path("curves.png"), help="PNG file to write (default: curves.png)")
    args = parser.parse_args(argv)
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
