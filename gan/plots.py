"""Training curves: metrics.jsonl of a run drawn to metrics.png beside it, or several runs overlaid in one figure."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

Series = dict[
    str, tuple[list[int], list[float]]
]  # metric name -> (steps, values); validation metrics named "val <key>"


def read_series(run_dir: Path) -> Series:
    """Every logged scalar of `run_dir/metrics.jsonl` against steps (empty when nothing is logged)."""
    log = Path(run_dir) / "metrics.jsonl"
    series: Series = {}
    if not log.exists():
        return series
    for line in log.read_text().splitlines():
        record = json.loads(line)
        values = record.get("eval", record)
        prefix = "val " if "eval" in record else ""
        for key, value in values.items():
            if key in ("step", "seconds") or not isinstance(value, (int, float)):
                continue
            steps, points = series.setdefault(prefix + key, ([], []))
            steps.append(record["step"])
            points.append(value)
    return series


def _figure(panels: int, columns: int = 3):  # noqa: ANN202 -- matplotlib's types
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = (panels + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.6 * rows), squeeze=False)
    for axis in list(axes.flat)[panels:]:
        axis.axis("off")
    return plt, figure, list(axes.flat)[:panels]


def _label(axis, title: str) -> None:  # noqa: ANN001 -- a matplotlib Axes
    axis.set_title(title, fontsize=9)
    axis.set_xlabel("step", fontsize=8)
    axis.tick_params(labelsize=7)


def logged_metrics(runs: Mapping[str, Path]) -> list[str]:
    """The names of every metric any of `runs` logged, sorted."""
    return sorted({name for run_dir in runs.values() for name in read_series(run_dir)})


def plot_metrics(run_dir: Path) -> Path | None:
    """Draw every logged scalar of `run_dir/metrics.jsonl` against steps, one panel each; None when nothing is
    logged."""
    series = read_series(run_dir)
    if not series:
        return None
    plt, figure, axes = _figure(len(series))
    for axis, (name, (steps, points)) in zip(axes, sorted(series.items())):
        axis.plot(steps, points, lw=1)
        _label(axis, name)
    figure.tight_layout()
    target = Path(run_dir) / "metrics.png"
    figure.savefig(target, dpi=90)
    plt.close(figure)
    return target


def plot_runs(runs: Mapping[str, Path], metrics: Sequence[str], target: Path) -> Path:
    """Overlay `metrics` (names as `read_series` gives them) of several runs, one panel per metric, one line per run.

    A metric a run did not log is left out of that run's panel; a metric no run logged raises ValueError.
    """
    series = {label: read_series(run_dir) for label, run_dir in runs.items()}
    missing = [metric for metric in metrics if not any(metric in run for run in series.values())]
    if missing:
        raise ValueError(
            f"No run logged {', '.join(missing)}; the runs logged: {', '.join(logged_metrics(runs)) or 'nothing'}."
        )
    plt, figure, axes = _figure(len(metrics), columns=min(3, len(metrics)))
    for axis, metric in zip(axes, metrics):
        for label, run in series.items():
            if metric in run:
                axis.plot(*run[metric], lw=1.2, label=label, marker="." if metric.startswith("val ") else None)
        _label(axis, metric)
    axes[0].legend(fontsize=7)
    figure.tight_layout()
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=100)
    plt.close(figure)
    return Path(target)
