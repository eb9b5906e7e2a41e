"""Publishing: `python -m training.publish` checks every folder loads with its model class before it uploads."""

from __future__ import annotations

import shutil

import huggingface_hub.constants
import pytest
import torch
from safetensors.torch import load_file, save_file

from gan.hub import WeightsError, check_size, fetch, model_class, publish
from gan.shipped import WEIGHTS_ROOT, hub_config
from training.publish import main as publish_cli


def test_every_configured_model_is_pinned_and_its_bundled_copy_loads_within_the_size_budget(monkeypatch):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    config = hub_config()
    assert config, "weights/hub.json names no model"
    for name, entry in config.items():
        assert entry["repo"].count("/") == 1 and entry["revision"] and entry["class"]
        assert check_size(model_class(name), WEIGHTS_ROOT / name) > 0
        model, source = fetch(model_class(name), name, allow_local=False)
        assert source.kind in ("hub", "bundled") and sum(p.numel() for p in model.parameters()) > 0


def test_dry_run_of_all_lists_what_each_repo_would_receive_and_uploads_nothing(capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert publish_cli(["--all", "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name, entry in hub_config().items():
        assert (
            f"weights/{name} -> {entry['repo']}: would upload README.md, card.json, config.json, model.safetensors"
            in "\n".join(lines)
        )


def test_weights_that_do_not_fit_their_model_class_are_never_published(tmp_path):
    name = next(iter(hub_config()))
    folder = shutil.copytree(WEIGHTS_ROOT / name, tmp_path / name)
    tensors = load_file(folder / "model.safetensors")
    first = next(iter(tensors))
    tensors[first] = torch.zeros(3, 3)
    save_file(tensors, folder / "model.safetensors")
    with pytest.raises(WeightsError, match="do not fit"):
        publish(folder, "org/broken", model_cls=model_class(name), dry_run=True)


def test_the_cli_needs_a_repo_for_a_folder_and_reports_an_incomplete_one(tmp_path, capsys):
    with pytest.raises(SystemExit):
        publish_cli([str(tmp_path)])
    assert publish_cli([str(tmp_path), "--repo", "org/empty", "--dry-run"]) == 1
    assert f"{tmp_path.name} is not a complete weights folder: missing config.json" in capsys.readouterr().err


def test_the_cli_pins_only_names_that_weights_hub_json_knows(tmp_path, capsys):
    with pytest.raises(SystemExit):
        publish_cli([str(tmp_path), "--repo", "org/x", "--name", "not-a-shipped-model", "--dry-run"])
    assert "not-a-shipped-model is not in weights/hub.json" in capsys.readouterr().err
