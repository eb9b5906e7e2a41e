"""What the Colorize tab and the CLIs show before any model is loaded: the pipeline and its size bounds (no torch)."""

from gan.shipped import PipelineRef

COLORIZER = PipelineRef("colorgan.inference:Colorizer", model="colorgan.models:ChromaGANGenerator")
DEFAULT_SIZE = 128
"""Longer side, in pixels, at which color is predicted unless another size is asked for."""
MIN_SIZE, MAX_SIZE = 16, 1024
DEFAULT_STRENGTH = 1.0
"""Scale of the predicted chroma (a, b): 1 is the model's own prediction, 0 the gray photo, 2 twice the chroma."""
MIN_STRENGTH, MAX_STRENGTH = 0.0, 2.0


def check_strength(strength: float) -> float:
    """`strength` when it lies in [MIN_STRENGTH, MAX_STRENGTH]; else a ValueError that says the range (NaN included)."""
    if not MIN_STRENGTH <= strength <= MAX_STRENGTH:
        raise ValueError(f"The color strength must be between {MIN_STRENGTH:g} and {MAX_STRENGTH:g}, got {strength:g}.")
    return strength


DEFAULT_TEMPERATURE = 0.38
"""Annealed-mean temperature of distribution models unless another is asked for (Zhang et al. 2016)."""
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.05, 1.0
"""Range of the annealed-mean temperature of distribution models: lower is more vivid, 1 the plain mean (browner)."""


def check_temperature(temperature: float | None) -> float | None:
    """`temperature` when None (the model's own) or in [MIN_TEMPERATURE, MAX_TEMPERATURE]; else a ValueError."""
    if temperature is not None and not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        raise ValueError(
            f"The colour temperature must be between {MIN_TEMPERATURE:g} and {MAX_TEMPERATURE:g}, got {temperature:g}."
        )
    return temperature
