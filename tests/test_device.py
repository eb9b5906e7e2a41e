"""The global-RNG guard: blocks that must draw from torch's global RNG do so privately, one thread at a time."""

from __future__ import annotations

import torch

from gan.device import private_global_rng


def test_a_private_block_leaves_the_global_rng_as_it_was_and_a_seeded_one_repeats():
    torch.manual_seed(3)
    expected = torch.rand(4)
    torch.manual_seed(3)
    with private_global_rng(11):
        first = torch.rand(4)
    with private_global_rng(11):
        second = torch.rand(4)
    assert torch.equal(first, second) and torch.equal(torch.rand(4), expected)
