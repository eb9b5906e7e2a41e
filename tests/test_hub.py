"""Weights: safetensors round trips, the Hub cache offline, the bundled fallback, clear refusals."""
import json
import shutil

import huggingface_hub.constants
import pytest
import torch

from colorgan.models import ChromaGANGenerator
from gan import hub
from gan.hub import ModelCard, WeightsError, fetch, publish, save_model

CARD = ModelCard(title="tiny", summary="a test model", training_data="none", hardware="CPU", metrics={"psnr": 24.5})


def tiny(seed: int) -> ChromaGANGenerator:
    torch.manual_seed(seed)
    return ChromaGANGenerator(base_channels=4, depth=2, max_channels=8, num_classes=3)


def same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


@pytest.fixture
def bundled(tmp_path, monkeypatch):
    """A weights/ root holding model 'tiny' (seed 0), configured to come from Hub repo org/tiny."""
    root = tmp_path / "weights"
    save_model(tiny(0), root / "tiny", CARD)
    (root / "hub.json").write_text(json.dumps({"tiny": {"repo": "studio-test/tiny", "revision": "main"}}))
    monkeypatch.setattr(hub, "WEIGHTS_ROOT", root)
    monkeypatch.setattr(hub, "HUB_CONFIG", root / "hub.json")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    return root


def populate_hub_cache(cache, repo: str, model: torch.nn.Module) -> None:
    """Lay out a Hub snapshot the way huggingface_hub's cache stores downloads."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo_dir = cache / f"models--{repo.replace('/', '--')}"
    save_model(model, repo_dir / "snapshots" / commit, CARD)
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(commit)


def test_save_and_load_round_trip_keeps_every_weight_and_writes_a_card(tmp_path):
    model = tiny(1)
    folder = save_model(model, tmp_path / "m", CARD)
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "config.json", "model.safetensors"]
    assert "| psnr | 24.5 |" in (folder / "README.md").read_text()
    loaded, source = fetch(ChromaGANGenerator, str(folder))
    assert same_weights(model, loaded) and source.startswith("folder")


def test_offline_fetch_serves_the_configured_repo_from_the_hub_cache(bundled, tmp_path):
    populate_hub_cache(tmp_path / "hf-cache", "studio-test/tiny", tiny(2))
    model, source = fetch(ChromaGANGenerator, "tiny")
    assert source == "hub studio-test/tiny@main" and same_weights(model, tiny(2))


def test_offline_fetch_without_a_cached_copy_falls_back_to_the_bundled_weights(bundled):
    model, source = fetch(ChromaGANGenerator, "tiny")
    assert source == "bundled weights/tiny" and same_weights(model, tiny(0))


def test_an_unknown_repo_without_bundled_copy_is_a_clear_error(bundled):
    with pytest.raises(WeightsError, match="no bundled copy"):
        fetch(ChromaGANGenerator, "someone/else")


def test_weights_of_another_architecture_are_refused_with_a_sentence(tmp_path):
    save_model(tiny(0), tmp_path / "m", CARD)
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    (tmp_path / "m" / "config.json").write_text(json.dumps({**config, "base_channels": 6}))
    with pytest.raises(WeightsError, match="do not fit a ChromaGANGenerator"):
        fetch(ChromaGANGenerator, str(tmp_path / "m"))


def test_pickle_weights_are_never_loaded(tmp_path):
    folder = save_model(tiny(0), tmp_path / "m", CARD)
    (folder / "model.safetensors").unlink()
    torch.save(tiny(0).state_dict(), folder / "pytorch_model.bin")
    with pytest.raises(WeightsError, match="only safetensors"):
        fetch(ChromaGANGenerator, str(folder))


def test_a_corrupt_safetensors_file_is_refused_with_a_sentence(tmp_path):
    folder = save_model(tiny(0), tmp_path / "m", CARD)
    (folder / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(WeightsError, match="do not fit"):
        fetch(ChromaGANGenerator, str(folder))


def test_publish_dry_run_lists_a_complete_folder_and_refuses_an_incomplete_one(tmp_path):
    folder = save_model(tiny(0), tmp_path / "m", CARD)
    assert publish(folder, "org/tiny", dry_run=True) == ["README.md", "config.json", "model.safetensors"]
    shutil.copytree(folder, tmp_path / "broken")
    (tmp_path / "broken" / "README.md").unlink()
    with pytest.raises(WeightsError, match="missing README.md"):
        publish(tmp_path / "broken", "org/tiny", dry_run=True)
