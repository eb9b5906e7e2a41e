"""Semantic inpainting and super-resolution by latent search in a WGAN-GP prior (Yeh et al. 2017; Vitoria et al. 2019).

Use it through `Inpainter.from_pretrained(name, device=...)`; this package never imports gradio.
"""

from gan.lazy import lazy_exports

__all__ = ["InpaintResult", "Inpainter", "Progress", "SuperResolutionResult"]
__getattr__ = lazy_exports(__name__, {name: "inpaint.inference" for name in __all__})
