"""Semantic inpainting and super-resolution by latent search in a WGAN-GP prior (Yeh et al. 2017; Vitoria et al. 2019)."""
