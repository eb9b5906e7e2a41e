"""Tiny inpainting priors for the tests: built from a seed, used directly or shipped through a patched
weights/hub.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import torch

from gan.card import ModelCard
from gan.hub import WeightsSource, save_model
from inpaint.prior import InpaintPrior

if TYPE_CHECKING:
    from inpaint.inference import Inpainter

TINY = {"latent_dim": 8, "image_size": 8, "generator_channels": 4, "critic_channels": 4, "content_size": 8}


def tiny_prior(channels: int = 3, seed: int = 0) -> InpaintPrior:
    """An untrained 8×8 prior; the same seed gives the same weights."""
    torch.manual_seed(seed)
    return InpaintPrior(channels=channels, **TINY).eval()


def tiny_inpainter(channels: int = 3, device: str | torch.device = "cpu") -> "Inpainter":
    """An Inpainter around `tiny_prior` on `device`."""
    from inpaint.inference import Inpainter

    device = torch.device(device)
    return Inpainter(tiny_prior(channels).to(device), "tiny", WeightsSource("bundled", Path("inpaint-tiny")), device)


@contextmanager
def shipped_tiny_prior(root: Path, name: str = "inpaint-tiny") -> Iterator[str]:
    """Within the block, weights/hub.json ships one prior, `name` (the RGB `tiny_prior`), bundled, offline."""
    import huggingface_hub.constants

    from gan import shipped

    card = ModelCard(name="tiny-prior", task="a test prior", summary="a test prior", training_data="none")
    save_model(tiny_prior(3), root / "weights" / name, card)
    entry = {
        "repo": f"studio-test/{name}",
        "revision": "0123456789abcdef0123456789abcdef01234567",
        "class": "inpaint.prior:InpaintPrior",
    }
    (root / "weights" / "hub.json").write_text(json.dumps({name: entry}))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shipped, "WEIGHTS_ROOT", root / "weights")
        patch.setattr(shipped, "HUB_CONFIG", root / "weights" / "hub.json")
        patch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
        patch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(root / "hf-cache"))
        yield name
