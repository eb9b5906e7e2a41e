"""Training curves of several runs overlaid: what `python -m training.curves` draws and refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from gan.plots import plot_runs, read_series
from training import curves


def write_run(folder: Path, psnr: list[float]) -> Path:
    folder.mkdir(parents=True)
    lines = []
    for index, value in enumerate(psnr):
        lines.append(json.dumps({"step": 10 * index, "seconds": index, "loss_d": -value}))
        lines.append(json.dumps({"step": 10 * index, "eval": {"psnr": value}}))
    (folder / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def test_training_and_validation_metrics_are_read_against_their_steps(tmp_path):
    series = read_series(write_run(tmp_path / "a", [20.0, 21.0, 22.5]))
    assert series["val psnr"] == ([0, 10, 20], [20.0, 21.0, 22.5])
    assert series["loss_d"] == ([0, 10, 20], [-20.0, -21.0, -22.5])


def test_several_runs_are_drawn_into_one_png(tmp_path):
    runs = {
        "pix2pix": write_run(tmp_path / "pix2pix", [20.0, 21.0]),
        "lsgan": write_run(tmp_path / "lsgan", [19.0, 22.0]),
    }
    target = plot_runs(runs, ["val psnr", "loss_d"], tmp_path / "figures" / "curves.png")
    with Image.open(target) as image:
        assert image.format == "PNG" and image.width > 400


def test_a_metric_no_run_logged_is_refused_naming_what_was_logged(tmp_path):
    with pytest.raises(ValueError, match="No run logged val fid.*val psnr"):
        plot_runs({"a": write_run(tmp_path / "a", [20.0])}, ["val fid"], tmp_path / "c.png")


def test_the_command_lists_the_metrics_when_none_is_asked_for(tmp_path, capsys):
    curves.main([str(write_run(tmp_path / "a", [20.0]))])
    assert capsys.readouterr().out.split("\n")[:2] == ["loss_d", "val psnr"]


def test_the_command_refuses_a_folder_without_metrics_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit):
        curves.main([str(tmp_path), "--metrics", "val psnr"])
    assert "no metrics.jsonl in" in capsys.readouterr().err
