"""Gradio components shared by the tabs."""
from __future__ import annotations

import gradio as gr


class ImageFileInput(gr.Image):
    """An image upload that hands the handler the uploaded file's path untouched.

    `gr.Image` opens every upload with PIL before the handler runs, so a file that is not an image
    (or a truncated one) fails inside Gradio with a generic message. This component leaves reading to
    the handler (`gan.imageio.load_image`), which answers such files with a sentence.
    """

    def get_block_name(self) -> str:
        """Rendered by the frontend of `gr.Image`."""
        return "image"

    def preprocess(self, payload):
        """The uploaded file's path (inline data URLs, as from the webcam, are decoded as usual)."""
        if payload is None or payload.path is None or (payload.url or "").startswith("data:"):
            return super().preprocess(payload)
        return str(payload.path)
