"""Colorization of black-and-white photos: ChromaGAN and the GAN objectives people compare."""

from gan.lazy import lazy_exports

__all__ = ["Colorizer", "ColorizeResult"]
__getattr__ = lazy_exports(__name__, {"Colorizer": "colorgan.inference", "ColorizeResult": "colorgan.inference"})
