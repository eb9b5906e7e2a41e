"""HistoryAD steps (a)-(c) in isolation: snapshots, the exponential state sampler, the averaged critic, the bound."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import chisquare
from torch import nn

from anomaly.dtv import rescale_to_bound
from anomaly.history import HistorySampler, Snapshot, SnapshotHook, averaged_state, state_weights
from gan.nets import DCGANCritic, DCGANGenerator
from gan.objectives import BoundedTotalVariation


def test_state_weights_follow_truncated_exponential_density_in_epochs() -> None:
    steps = list(range(10, 201, 10))
    weights = state_weights(steps, steps_per_epoch=20, alpha=2.5, beta=0.3)
    expected = np.array([math.exp(-0.3 * s / 20) if s / 20 >= 2.5 else 0.0 for s in steps])
    np.testing.assert_allclose(weights.numpy(), expected / expected.sum(), rtol=1e-12)
    assert weights[:4].sum() == 0 and (weights[4:] > 0).all()


def test_state_weights_keep_their_meaning_when_the_run_is_longer() -> None:
    short = state_weights([20, 40], steps_per_epoch=20, alpha=0.0, beta=1.0)
    longer = state_weights([20, 40, 60, 80], steps_per_epoch=20, alpha=0.0, beta=1.0)
    assert short[0] / short[1] == pytest.approx(math.e)
    assert longer[0] / longer[1] == pytest.approx(math.e)  # one epoch apart: e^beta, however long the run


def test_state_weights_refuse_alpha_after_every_state() -> None:
    with pytest.raises(ValueError, match="alpha"):
        state_weights([10, 20], steps_per_epoch=10, alpha=5, beta=1.0)


def test_history_sampler_draws_states_with_the_exponential_distribution() -> None:
    steps = list(range(5, 101, 5))
    weights = state_weights(steps, steps_per_epoch=100, alpha=0.1, beta=4.0)
    snapshots = [Snapshot(s, {}, {}) for s in steps]
    sampler = HistorySampler(snapshots, weights, lambda: nn.Identity(), latent_dim=2)
    draws = sampler.sample_states(40_000, torch.Generator().manual_seed(1))
    counts = np.bincount(draws.numpy(), minlength=len(steps))
    support = weights.numpy() > 0
    assert counts[~support].sum() == 0
    _, p_value = chisquare(counts[support], 40_000 * weights.numpy()[support] / weights.numpy()[support].sum())
    assert p_value > 0.01
    assert counts[support][0] > counts[support][-1] * 10  # e^{-4 (0.1 - 1.0)} ≈ 36 times more early draws


class CountingGenerator(DCGANGenerator):
    calls = 0

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        CountingGenerator.calls += 1
        return super().forward(z)


def test_history_sampler_runs_each_drawn_generator_once_per_batch_and_matches_it() -> None:
    make = lambda: CountingGenerator(latent_dim=8, channels=1, image_size=8, base_channels=4)  # noqa: E731
    states = []
    for seed in range(3):
        torch.manual_seed(seed)
        states.append({k: v.clone() for k, v in make().state_dict().items()})
    snapshots = [Snapshot(10 * (i + 1), state, {}) for i, state in enumerate(states)]
    sampler = HistorySampler(snapshots, torch.tensor([0.2, 0.3, 0.5]), make, latent_dim=8)
    CountingGenerator.calls = 0
    images = sampler.sample(64, torch.Generator().manual_seed(0))
    assert CountingGenerator.calls == 3
    rng = torch.Generator().manual_seed(0)
    drawn, z = sampler.sample_states(64, rng), torch.randn(64, 8, generator=rng)
    for index in range(3):
        rows = drawn == index
        torch.testing.assert_close(images[rows], sampler.generator(index)(z[rows]))
    CountingGenerator.calls = 0
    sampler.sample(64, torch.Generator().manual_seed(5))
    assert CountingGenerator.calls == 3  # modules are built once and reused, not reloaded


def test_averaged_critic_initialisation_equals_hand_computed_weighted_mean() -> None:
    critics = []
    for seed in range(3):
        torch.manual_seed(seed)
        critics.append(DCGANCritic(channels=1, image_size=8, base_channels=4, norm="layer").state_dict())
    weights = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64)
    averaged = averaged_state(critics, weights)
    for name in critics[0]:
        hand = 0.5 * critics[0][name] + 0.3 * critics[1][name] + 0.2 * critics[2][name]
        torch.testing.assert_close(averaged[name], hand, rtol=1e-6, atol=1e-7)
    DCGANCritic(channels=1, image_size=8, base_channels=4, norm="layer").load_state_dict(averaged)


def test_snapshot_hook_keeps_states_in_memory_then_spills_to_safetensors(tmp_path) -> None:
    generator, critic = DCGANGenerator(8, 1, 8, 4), DCGANCritic(1, 8, 4)
    task = type("Task", (), {"generator": generator, "critic": critic})()
    size_mb = (
        sum(v.numel() * v.element_size() for v in [*generator.state_dict().values(), *critic.state_dict().values()])
        / 2**20
    )
    hook = SnapshotHook(every=2, memory_limit_mb=size_mb * 1.5, directory=tmp_path)
    for step in range(1, 7):
        hook(step, task)
    assert [s.step for s in hook.snapshots] == [2, 4, 6]
    assert isinstance(hook.snapshots[0].generator, dict) and not isinstance(hook.snapshots[-1].generator, dict)
    for key, value in generator.state_dict().items():
        torch.testing.assert_close(hook.snapshots[-1].generator_state()[key], value)


def test_snapshot_hook_restores_the_states_a_killed_run_wrote_up_to_its_checkpoint(tmp_path) -> None:
    generator, critic = DCGANGenerator(8, 1, 8, 4), DCGANCritic(1, 8, 4)
    task = type("Task", (), {"generator": generator, "critic": critic})()
    first = SnapshotHook(every=2, memory_limit_mb=0, directory=tmp_path)
    for step in range(1, 9):
        first(step, task)
    resumed = SnapshotHook(every=2, memory_limit_mb=0, directory=tmp_path)
    resumed.restore(until_step=6)
    assert [s.step for s in resumed.snapshots] == [2, 4, 6]
    resumed(8, task)
    resumed(8, task)
    assert [s.step for s in resumed.snapshots] == [2, 4, 6, 8]


def test_rescaled_averaged_critic_keeps_its_ranking_inside_the_bound() -> None:
    torch.manual_seed(0)
    critic = DCGANCritic(channels=1, image_size=8, base_channels=4, norm="layer")
    with torch.no_grad():
        critic.net[-1].weight.mul_(400.0)
    normal, history = torch.rand(64, 1, 8, 8) * 2 - 1, torch.rand(64, 1, 8, 8) - 1
    before = critic(torch.cat([normal, history])).reshape(-1)
    rescale_to_bound(critic, normal, history, quantile=1.0)
    after = critic(torch.cat([normal, history])).reshape(-1).detach()
    assert before.abs().max() > 2 and after.abs().max() <= 1 + 1e-5
    assert torch.equal(before.argsort(), after.argsort())


def test_bound_penalty_is_zero_inside_the_interval_and_quadratic_outside() -> None:
    objective = BoundedTotalVariation(bound_weight=10.0)
    assert objective.bound_penalty(torch.tensor([-1.0, -0.3, 0.0, 0.99, 1.0])).item() == 0.0
    for value, distance in [(1.5, 0.5), (3.0, 2.0), (-2.0, 1.0), (-1.25, 0.25)]:
        assert objective.bound_penalty(torch.tensor([value])).item() == pytest.approx(distance**2)
    assert objective.bound_penalty(torch.tensor([0.0, 3.0])).item() == pytest.approx(4.0 / 2)
