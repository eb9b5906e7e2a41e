"""What the Colorize tab and the CLIs show before any model is loaded: the pipeline and its size bounds (no torch)."""
from gan.shipped import PipelineRef

COLORIZER = PipelineRef("colorgan.inference:Colorizer", model="colorgan.models:ChromaGANGenerator")
DEFAULT_SIZE = 128
"""Longer side, in pixels, at which color is predicted unless another size is asked for."""
MIN_SIZE, MAX_SIZE = 16, 1024
