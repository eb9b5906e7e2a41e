"""Colorization of black-and-white photos: ChromaGAN and the GAN objectives people compare."""
from colorgan.inference import Colorizer, ColorizeResult

__all__ = ["Colorizer", "ColorizeResult"]
