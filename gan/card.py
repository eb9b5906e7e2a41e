"""Model cards from one generator: a weights folder's `card.json` holds the facts, its README.md is rendered from them.

The title names the model and its task, the hardware line is built from what the run logged (each resumed segment's
device and the hours trained), and the metrics and training configuration are the measured values, so a card is
never edited by hand: `python -m training.cards` renders every bundled card again, and a test checks that doing so
changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

CARD_FILE = "card.json"


@dataclass
class Hardware:
    """Where and how long a model trained, as its run logged it."""

    devices: list[str] = field(default_factory=list)
    hours: float | None = None
    detail: str = ""

    def line(self) -> str:
        """One sentence: the devices of the run's segments, the hours it trained, and any measured detail."""
        if not self.devices:
            return "Not recorded when these weights were made." + (f" {self.detail}" if self.detail else "")
        hours = f"; {self.hours:.2f} hours of training logged (all resumed segments)" if self.hours is not None else ""
        return f"{'; '.join(self.devices)}{hours}." + (f" {self.detail}" if self.detail else "")


@dataclass
class ModelCard:
    """What a model card says: which model, how the weights were made and what they measure."""

    name: str
    task: str
    summary: str
    training_data: str
    hardware: Hardware = field(default_factory=Hardware)
    training_config: dict = field(default_factory=dict)
    metrics: dict[str, float | str] = field(default_factory=dict)
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    license: str = "mit"

    @property
    def title(self) -> str:
        """The one title format: the model's name, then what it does."""
        return f"{self.name}: {self.task}"

    def render(self) -> str:
        """The README.md text, with Hub front matter."""
        tags = "".join(f"\n- {tag}" for tag in ["gan-imaging-studio", "pytorch", "safetensors", *self.tags])
        metrics = "\n".join(
            f"| {key} | {value:.4g} |" if isinstance(value, float) else f"| {key} | {value} |"
            for key, value in self.metrics.items()
        )
        config = json.dumps(self.training_config, indent=2, default=str)
        return (
            f"---\nlicense: {self.license}\nlibrary_name: pytorch\ntags:{tags}\n---\n\n"
            f"# {self.title}\n\n{self.summary}\n\n"
            f"## Training data\n\n{self.training_data}\n\n## Hardware\n\n{self.hardware.line()}\n\n"
            f"## Metrics (measured on held-out data)\n\n| metric | value |\n|---|---|\n{metrics}\n\n"
            f"## Training configuration\n\n```json\n{config}\n```\n"
            + (f"\n## Notes\n\n{self.notes}\n" if self.notes else "")
        )

    def to_json(self) -> str:
        """The facts of the card, as `card.json` keeps them."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, default=str) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ModelCard:
        """The card whose facts `to_json` wrote."""
        facts = json.loads(text)
        return cls(**{**facts, "hardware": Hardware(**facts.get("hardware", {}))})


def write_card(directory: Path, card: ModelCard) -> None:
    """Write `card.json` and the README.md rendered from it into a weights folder."""
    directory = Path(directory)
    (directory / CARD_FILE).write_text(card.to_json())
    (directory / "README.md").write_text(card.render())


def read_card(directory: Path) -> ModelCard:
    """The card of a weights folder, from its `card.json`."""
    return ModelCard.from_json((Path(directory) / CARD_FILE).read_text())
