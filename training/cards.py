"""Render every bundled model card again from its facts (`card.json`), or check that none would change.

    python -m training.cards            # rewrite weights/*/README.md from weights/*/card.json
    python -m training.cards --check    # exit 1 and name the cards whose README.md differs

A card's facts are written by the training script that exported the weights (gan.card); its README.md is
never edited by hand: change the facts, or the one renderer, and run this.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gan.card import CARD_FILE, read_card, write_card
from gan.cli import command_parser, parse_configs
from gan.shipped import WEIGHTS_ROOT


@dataclass
class CardsConfig:
    """Which weights folders, and whether to write or only check."""

    weights_root: str = str(WEIGHTS_ROOT)
    check: bool = False


HELP = {
    "weights_root": "folder holding one weights folder per model",
    "check": "write nothing: exit 1 if a README.md differs from the card rendered from its card.json",
}


def stale_cards(root: Path) -> list[str]:
    """Names of the weights folders under `root` whose README.md is not the rendering of their card.json."""
    folders = sorted(path.parent for path in root.glob(f"*/{CARD_FILE}"))
    return [folder.name for folder in folders if (folder / "README.md").read_text() != read_card(folder).render()]


def main(argv: Sequence[str] | None = None) -> int:
    """Render (or check) every card; return the exit status."""
    parser = command_parser("python -m training.cards", __doc__, (CardsConfig, HELP), print_config=False)
    config, _ = parse_configs(parser, argv, CardsConfig)
    root = Path(config.weights_root)
    stale = stale_cards(root)
    if config.check:
        print("\n".join(f"{name}: README.md differs from its card.json" for name in stale) or "every card is current")
        return 1 if stale else 0
    for name in stale:
        write_card(root / name, read_card(root / name))
        print(f"rendered {root / name / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
