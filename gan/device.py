"""Device choice and seeding: the one place that decides where tensors live."""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

_GLOBAL_RNG_LOCK = threading.RLock()


def pick_device(name: str | None = "auto") -> torch.device:
    """Return the device named by `name`, or the best available one for "auto" / None."""
    if name in (None, "", "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"Device {name!r} was asked for but CUDA is not available; use --device cpu.")
    return device


@contextmanager
def private_global_rng(seed: int | None = None) -> Iterator[None]:
    """Run a block that must draw from torch's global RNG (module construction, `init_gan_weights`) one thread at a
    time, seeded with `seed` when given, and leave the global RNG as it was: concurrent runs then cannot consume each
    other's draws."""
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        yield


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch, and return a torch generator seeded the same way."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
