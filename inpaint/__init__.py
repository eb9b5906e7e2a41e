"""Semantic inpainting and super-resolution by latent search in a WGAN-GP prior (Yeh et al. 2017; Vitoria et al. 2019).

Use it through `Inpainter.from_pretrained(name, device=...)`; this package never imports gradio.
"""
from inpaint.inference import InpaintResult, Inpainter, Progress, SuperResolutionResult

__all__ = ["InpaintResult", "Inpainter", "Progress", "SuperResolutionResult"]
