"""The latent search: z* = argmin_z  data(A G(z), y) + alpha * prior(D(G(z))) + lam * ||z||^2.

Adam on z from `restarts` random starts per image, all in one batch; after every step each z is
projected onto the ball of radius sqrt(latent_dim) (the Gaussian prior's typical radius), so the
search stays where G was trained; the restart with the lowest final loss is kept per image, or with
`combine="mean"` the mean of all restarts' G(z) (with L-BRGM, an estimate of the posterior mean, the
fill of least expected squared error; it is smoother than any one search).
`search_steps` yields progress for live displays, `latent_search` returns the result alone.

The third solver, L-BRGM (the latent MAP of Marinescu, Moyer and Golland's Bayesian reconstruction
through generative models, 2021, with our generator's Gaussian z in place of StyleGAN's w), is the
posterior mode under a Gaussian likelihood of noise `noise_std` and the prior z ~ N(0, I):
    z* = argmin_z  ||A G(z) - y||^2 / (2 sigma^2) + ||z||^2 / 2,
with no critic term and no projection: the latent prior itself keeps G(z) on the generator's range.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
from torch import Tensor

from inpaint.losses import PRIOR_LOSSES, SEARCH_LOSSES
from inpaint.operators import ForwardOperator
from inpaint.prior import InpaintPrior
from inpaint.settings import SOLVERS

COMBINES = ("best", "mean")


@dataclass
class SearchConfig:
    """Settings of the search; `loss` picks the Vitoria et al. ("contextual"), Yeh et al. ("yeh") or L-BRGM ("brgm")
    solver.

    `alpha`, `beta`, `window` and `z_weight` belong to the first two, `noise_std` to L-BRGM alone.
    `combine` keeps the "best" restart per image or the "mean" of all of them.
    """

    loss: str = "contextual"
    alpha: float = 0.003
    beta: float = 1.0
    window: int = 7
    z_weight: float = 0.0
    noise_std: float = 0.1
    lr: float = 0.03
    iterations: int = 300
    restarts: int = 8
    combine: str = "best"
    seed: int = 0
    report_every: int = 10

    def __post_init__(self) -> None:
        if self.loss not in SEARCH_LOSSES:
            raise ValueError(f"The search loss must be one of {', '.join(SEARCH_LOSSES)}; got {self.loss!r}.")
        if self.combine not in COMBINES:
            raise ValueError(f"The search's combine must be one of {', '.join(COMBINES)}; got {self.combine!r}.")
        for name in ("iterations", "restarts", "report_every", "window"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"The search's {name} must be a whole number of at least 1; got {value!r}.")
        if self.window % 2 == 0:
            raise ValueError(f"The search's window must be odd; got {self.window}.")
        for name in ("alpha", "beta", "z_weight", "lr"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"The search's {name} must be a finite number of at least 0; got {value!r}.")
        if self.lr == 0:
            raise ValueError("The search's learning rate must be positive.")
        if not (math.isfinite(self.noise_std) and self.noise_std > 0):
            raise ValueError(f"The search's noise_std must be a positive number; got {self.noise_std!r}.")

    @property
    def prior_loss(self) -> str | None:
        """The critic prior paired with the loss: -D for the WGAN variant, log(1 - sigmoid D) for Yeh's, none for
        L-BRGM."""
        return {"contextual": "wasserstein", "yeh": "yeh"}.get(self.loss)


def solver_config(solver: str, **settings) -> SearchConfig:
    """The search of a named solver (inpaint.settings.SOLVERS: its loss and combine) with the other fields from
    `settings`."""
    return SearchConfig(**SOLVERS[solver], **settings)


@dataclass
class SearchState:
    """Progress after `step` iterations: the candidate per image (best or mean of the restarts), its loss, and z* (None
    for a mean)."""

    step: int
    images: Tensor
    loss: Tensor
    history: list[float] = field(default_factory=list)
    z: Tensor | None = None


def project_to_ball(z: Tensor, radius: float) -> Tensor:
    """Scale every row of z whose norm exceeds `radius` back onto the sphere of that radius."""
    norms = z.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return z * (radius / norms).clamp(max=1.0)


def total_loss(
    prior: InpaintPrior, operator: ForwardOperator, z: Tensor, y: Tensor, config: SearchConfig
) -> tuple[Tensor, Tensor]:
    """Per-sample objective and the candidate images G(z)."""
    images = prior.generator(z)
    if config.prior_loss is None:  # L-BRGM: negative log-posterior, up to a constant
        return operator.data_loss(images, y) / (2 * config.noise_std**2) + 0.5 * z.pow(2).sum(dim=1), images
    loss = operator.data_loss(images, y) + config.alpha * PRIOR_LOSSES[config.prior_loss](prior.critic(images))
    if config.z_weight:
        loss = loss + config.z_weight * z.pow(2).sum(dim=1)
    return loss, images


def search_steps(
    prior: InpaintPrior, operator: ForwardOperator, y: Tensor, config: SearchConfig
) -> Iterator[SearchState]:
    """Run the search on observations y (N, C, h, w); yield the state every `report_every` steps and at the end."""
    n, restarts = y.shape[0], config.restarts
    generator = torch.Generator().manual_seed(config.seed)
    z = torch.randn(restarts * n, prior.latent_dim, generator=generator).to(y.device)
    radius = math.sqrt(prior.latent_dim)
    z = project_to_ball(z, radius).requires_grad_(True)
    targets = y.repeat(restarts, 1, 1, 1)
    optimizer = torch.optim.Adam([z], lr=config.lr)
    history: list[float] = []
    for step in range(1, config.iterations + 1):
        loss, images = total_loss(prior, operator, z, targets, config)
        optimizer.zero_grad(set_to_none=True)
        loss.sum().backward()
        optimizer.step()
        if config.prior_loss is not None:
            with torch.no_grad():
                z.copy_(project_to_ball(z, radius))
        history.append(_per_image(loss.detach(), restarts, n, config.combine).mean().item())
        if step % config.report_every == 0 and step < config.iterations:
            yield _combined(images.detach(), loss.detach(), z.detach(), restarts, n, step, history, config.combine)
    with torch.no_grad():
        loss, images = total_loss(prior, operator, z, targets, config)
    yield _combined(images, loss, z.detach(), restarts, n, config.iterations, history, config.combine)


def _per_image(loss: Tensor, restarts: int, n: int, combine: str) -> Tensor:
    """The loss per image: the best restart's, or the mean over restarts."""
    loss = loss.view(restarts, n)
    return loss.mean(dim=0) if combine == "mean" else loss.min(dim=0).values


def _combined(
    images: Tensor, loss: Tensor, z: Tensor, restarts: int, n: int, step: int, history: list[float], combine: str
) -> SearchState:
    per_image = _per_image(loss, restarts, n, combine)
    if combine == "mean":
        return SearchState(
            step=step,
            images=images.view(restarts, n, *images.shape[1:]).mean(dim=0),
            loss=per_image,
            history=list(history),
        )
    index = loss.view(restarts, n).argmin(dim=0) * n + torch.arange(n, device=loss.device)
    return SearchState(step=step, images=images[index], loss=per_image, history=list(history), z=z[index])


def latent_search(prior: InpaintPrior, operator: ForwardOperator, y: Tensor, config: SearchConfig) -> SearchState:
    """The final state of `search_steps`: G(z*) per image, its loss, the loss history and z*."""
    state = None
    for state in search_steps(prior, operator, y, config):
        pass
    return state
