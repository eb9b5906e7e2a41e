"""The colorization methods people compare, as one table: objective, reconstruction term, weights.

ChromaGAN's weights are the paper's (lambda_g = 0.1 on the WGAN-GP term, lambda_s = 0.003 on the
class KL); the other variants follow pix2pix (100 * L1) and change only the adversarial objective;
`regression` is the same generator with the reconstruction term alone, the reference every GAN
must beat in colourfulness without losing PSNR. `chromagan-dist` keeps ChromaGAN's class head and critic but
predicts colour as a distribution over ab bins, trained with Zhang et al.'s class-rebalanced cross-entropy
(`colorgan.quantize`); the critic judges the decoded (annealed-mean) colour. Critic steps per generator step are the
objective's own (5 for the Wasserstein objectives), never the variant's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """One colorization method: what the generator minimises and with which critic."""

    objective: str | None  # None: no critic, reconstruction only
    reconstruction: str  # "squared-norm" (per-image ||.||^2), "mse", "l1" (per-pixel means), "rebalanced-ce" (bins)
    reconstruction_weight: float
    adversarial_weight: float
    class_weight: float = 0.0
    critic: str = "patchgan"
    description: str = ""

    @property
    def predicts_distribution(self) -> bool:
        """Whether the generator predicts a distribution over ab bins (else ab itself)."""
        return self.reconstruction == "rebalanced-ce"


VARIANTS: dict[str, Variant] = {
    "regression": Variant(
        None, "mse", 1.0, 0.0, description="regression: per-pixel MSE on ab only, no critic (the reference)"
    ),
    "chromagan": Variant(
        "wgan-gp", "squared-norm", 1.0, 0.1, 0.003, description="ChromaGAN: ||ab||^2 + 0.1 WGAN-GP + 0.003 KL(class)"
    ),
    "chromagan-mse": Variant(
        "wgan-gp",
        "mse",
        1.0,
        0.1,
        0.003,
        description="ChromaGAN as the authors' Keras code weighs it: per-pixel MSE + 0.1 WGAN-GP + 0.003 KL(class)",
    ),
    "chromagan-dist": Variant(
        "wgan-gp",
        "rebalanced-ce",
        1.0,
        0.1,
        0.003,
        description="ChromaGAN with a colour distribution: rebalanced cross-entropy over ab bins "
        "+ 0.1 WGAN-GP + 0.003 KL(class)",
    ),
    "pix2pix": Variant("bce", "l1", 100.0, 1.0, description="pix2pix cGAN: BCE + 100 L1"),
    "lsgan": Variant("lsgan", "l1", 100.0, 1.0, description="LSGAN + 100 L1"),
    "wgan-clip": Variant("wgan-clip", "l1", 100.0, 1.0, description="WGAN (weight clipping 0.01, RMSprop) + 100 L1"),
    "wgan-gp": Variant("wgan-gp", "l1", 100.0, 1.0, description="WGAN-GP + 100 L1, no class head"),
    "ebgan": Variant(
        "ebgan", "l1", 100.0, 1.0, critic="autoencoder", description="EBGAN (autoencoder energy, margin 1) + 100 L1"
    ),
}


def get_variant(name: str) -> Variant:
    """The variant registered under `name`."""
    if name not in VARIANTS:
        raise ValueError(f"Unknown colorization variant {name!r}; choose one of {sorted(VARIANTS)}.")
    return VARIANTS[name]
