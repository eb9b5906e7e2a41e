"""Each adversarial objective has the textbook properties of its paper."""

import math

import pytest
import torch
from torch import nn

from gan.objectives import OBJECTIVES, BoundedTotalVariation, make_objective, per_sample_mean


class Constant(nn.Module):
    """A critic that scores real-looking inputs (mean > 0) with `real` and others with `fake`."""

    def __init__(self, real: float, fake: float) -> None:
        super().__init__()
        self.real, self.fake = real, fake

    def forward(self, x):
        return torch.where(x.mean(dim=(1, 2, 3), keepdim=True) > 0, self.real, self.fake).reshape(x.shape[0], 1)


def linear_critic(norm: float) -> nn.Module:
    critic = nn.Sequential(nn.Flatten(), nn.Linear(12, 1, bias=False))
    with torch.no_grad():
        critic[1].weight.fill_(1.0)
        critic[1].weight.mul_(norm / critic[1].weight.norm())
    return critic


real, fake = torch.ones(4, 3, 2, 2), -torch.ones(4, 3, 2, 2)


def test_bce_critic_loss_is_log2_when_critic_cannot_tell():
    loss, _ = make_objective("bce").critic_loss(Constant(0.0, 0.0), real, fake)
    assert loss.item() == pytest.approx(math.log(2))


def test_bce_label_smoothing_moves_the_optimal_real_logit_to_logit_of_the_label():
    objective = make_objective("bce", real_label=0.9)
    logit = math.log(0.9 / 0.1)
    best, _ = objective.critic_loss(Constant(logit, -20.0), real, fake)
    worse, _ = objective.critic_loss(Constant(logit + 1, -20.0), real, fake)
    assert best < worse


def test_lsgan_critic_loss_is_zero_at_its_targets():
    loss, _ = make_objective("lsgan").critic_loss(Constant(1.0, 0.0), real, fake)
    assert loss.item() == 0.0
    assert make_objective("lsgan").generator_loss(Constant(1.0, 1.0), fake).item() == 0.0


def test_wgan_clip_keeps_every_critic_weight_inside_the_clip_range():
    critic = nn.Linear(8, 8)
    nn.init.normal_(critic.weight, std=1.0)
    objective = make_objective("wgan-clip", clip=0.01)
    objective.after_critic_step(critic)
    assert all(p.abs().max().item() <= 0.01 for p in critic.parameters())
    assert objective.optimizer == "rmsprop"


@pytest.mark.parametrize("norm, expected", [(1.0, 0.0), (2.0, 1.0), (0.5, 0.25)])
def test_gradient_penalty_is_squared_distance_of_the_gradient_norm_to_one(norm, expected):
    objective = make_objective("wgan-gp", gp_weight=1.0)
    loss, logs = objective.critic_loss(linear_critic(norm), torch.randn(4, 3, 2, 2), torch.randn(4, 3, 2, 2))
    assert logs["gradient_penalty"] == pytest.approx(expected, abs=1e-5)


def test_gradient_penalty_holds_a_patch_critic_to_the_score_the_estimate_averages():
    patch_map = nn.Identity()  # a 4x4 "patch map" that is the image itself: its mean has gradient 1/16 per pixel
    objective = make_objective("wgan-gp", gp_weight=1.0)
    _, logs = objective.critic_loss(patch_map, torch.randn(2, 1, 4, 4), torch.randn(2, 1, 4, 4))
    assert logs["gradient_penalty"] == pytest.approx((math.sqrt(16) / 16 - 1) ** 2, abs=1e-6)


def test_wgan_gp_forbids_batchnorm_and_trains_five_critic_steps():
    objective = make_objective("wgan-gp")
    assert not objective.critic_may_use_batchnorm and objective.n_critic == 5 and objective.adam_betas == (0.5, 0.9)


def test_ebgan_energy_is_zero_for_a_perfect_autoencoder_and_fakes_pay_the_margin():
    objective = make_objective("ebgan", margin=1.0)
    loss, logs = objective.critic_loss(nn.Identity(), real, fake)
    assert logs["energy_real"] == 0.0 and loss.item() == pytest.approx(1.0)
    assert objective.generator_loss(nn.Identity(), fake).item() == 0.0


def test_bounded_penalty_is_zero_inside_the_interval_and_quadratic_outside():
    objective = BoundedTotalVariation()
    assert objective.bound_penalty(torch.tensor([-1.0, 0.0, 0.5, 1.0])).item() == 0.0
    assert objective.bound_penalty(torch.tensor([2.0])).item() == pytest.approx(1.0)
    assert objective.bound_penalty(torch.tensor([-4.0])).item() == pytest.approx(9.0)


def test_every_registered_objective_gives_finite_losses_with_gradients():
    critic = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Flatten(), nn.Linear(16, 12), nn.Unflatten(1, (3, 2, 2)))
    for name in OBJECTIVES:
        objective = make_objective(name)
        critic.zero_grad()
        loss_d, _ = objective.critic_loss(critic, real, fake)
        loss_d.backward()
        critic_gradients = torch.cat([p.grad.flatten() for p in critic.parameters()])
        generated = fake.clone().requires_grad_(True)
        objective.generator_loss(critic, generated).backward()
        assert torch.isfinite(loss_d) and torch.isfinite(critic_gradients).all() and critic_gradients.abs().sum() > 0, (
            name
        )
        assert generated.grad is not None and torch.isfinite(generated.grad).all() and generated.grad.abs().sum() > 0, (
            name
        )


def test_unknown_objective_names_the_choices():
    with pytest.raises(ValueError, match="wgan-gp"):
        make_objective("wgan-xx")


def test_per_sample_mean_averages_patch_maps_per_image():
    assert per_sample_mean(torch.arange(8.0).reshape(2, 1, 2, 2)).tolist() == [1.5, 5.5]
