"""Training curves: metrics.jsonl of a run drawn to metrics.png beside it."""
from __future__ import annotations

import json
from pathlib import Path


def plot_metrics(run_dir: Path) -> Path | None:
    """Draw every logged scalar of `run_dir/metrics.jsonl` against steps, one panel each; None when nothing is logged."""
    log = Path(run_dir) / "metrics.jsonl"
    if not log.exists():
        return None
    series: dict[str, tuple[list[int], list[float]]] = {}
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
    if not series:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = 3
    rows = (len(series) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.6 * rows), squeeze=False)
    for axis, (name, (steps, points)) in zip(axes.flat, sorted(series.items())):
        axis.plot(steps, points, lw=1)
        axis.set_title(name, fontsize=9)
        axis.set_xlabel("step", fontsize=8)
        axis.tick_params(labelsize=7)
    for axis in list(axes.flat)[len(series) :]:
        axis.axis("off")
    figure.tight_layout()
    target = Path(run_dir) / "metrics.png"
    figure.savefig(target, dpi=90)
    plt.close(figure)
    return target
