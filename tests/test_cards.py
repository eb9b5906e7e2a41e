"""Model cards come from one generator: every bundled README.md is the rendering of its card.json."""

from __future__ import annotations

import pytest

from gan.card import Hardware, ModelCard, read_card
from gan.shipped import WEIGHTS_ROOT
from training.cards import main as cards_main
from training.cards import stale_cards

FOLDERS = sorted(path for path in WEIGHTS_ROOT.iterdir() if (path / "model.safetensors").exists())


def test_every_bundled_model_has_the_facts_its_card_is_rendered_from():
    assert FOLDERS and all((folder / "card.json").exists() for folder in FOLDERS)


def test_rendering_every_card_again_from_its_facts_changes_nothing():
    assert stale_cards(WEIGHTS_ROOT) == []
    assert cards_main(["--check"]) == 0


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda folder: folder.name)
def test_each_card_is_titled_by_its_model_name_and_task(folder):
    card = read_card(folder)
    assert card.name == folder.name
    assert (folder / "README.md").read_text().count(f"\n# {folder.name}: {card.task}\n") == 1
    assert card.metrics and card.training_config


def test_a_hand_edited_readme_is_found_and_rendered_back(tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    card = ModelCard("tiny", "a test model", "summary", "data", Hardware(["CPU (test), 1 torch thread(s)"], hours=0.5))
    (folder / "card.json").write_text(card.to_json())
    (folder / "README.md").write_text(card.render().replace("0.50 hours", "5 hours"))
    assert stale_cards(tmp_path) == ["tiny"]
    assert cards_main(["--weights-root", str(tmp_path), "--check"]) == 1
    assert cards_main(["--weights-root", str(tmp_path)]) == 0
    assert stale_cards(tmp_path) == []


def test_the_hardware_line_is_built_from_what_the_run_logged():
    logged = Hardware(["CPU (AMD EPYC), 1 torch thread(s)", "NVIDIA H100"], hours=1.25, detail="Warm-started.")
    assert logged.line() == (
        "CPU (AMD EPYC), 1 torch thread(s); NVIDIA H100; 1.25 hours of training logged (all resumed segments)."
        " Warm-started."
    )
    assert Hardware().line() == "Not recorded when these weights were made."
