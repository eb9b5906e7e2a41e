"""Colorization of black-and-white photos: ChromaGAN and the GAN objectives people compare."""
