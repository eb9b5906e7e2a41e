"""What every tab receives from the app: the device and where state lives."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import torch

from gan.device import pick_device


def default_votes_db() -> str:
    """The vote store: $GAN_STUDIO_VOTES_DB, else /data on a Space with persistent storage, else ./votes.sqlite3."""
    if os.environ.get("GAN_STUDIO_VOTES_DB"):
        return os.environ["GAN_STUDIO_VOTES_DB"]
    if os.environ.get("SPACE_ID") and Path("/data").is_dir():
        return "/data/votes.sqlite3"
    return "votes.sqlite3"


@dataclass
class AppContext:
    """Settings shared by the tabs."""

    device: torch.device = field(default_factory=lambda: pick_device("auto"))
    votes_db: str = field(default_factory=default_votes_db)
