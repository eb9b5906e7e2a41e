"""What the Inpaint tab shows before any prior is loaded: the pipeline and the search defaults (no torch)."""
from gan.shipped import PipelineRef

INPAINTER = PipelineRef("inpaint.inference:Inpainter", model="inpaint.prior:InpaintPrior")
SR_Z_WEIGHT = 1e-3
"""Default lambda of ||z||^2 in the super-resolution objective ||y - A G(z)||^2 + lambda ||z||^2 + alpha (-D)."""
