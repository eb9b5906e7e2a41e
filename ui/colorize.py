"""The Colorize tab: upload an old photo, pick a model, get it back in color at full resolution."""
from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

import gradio as gr

from colorgan.inference import DEFAULT_SIZE, colorize, load_colorizer
from colorgan.models import DEFAULT_MODEL, SHIPPED_MODELS
from gan.hub import WeightsError
from gan.imageio import InvalidImageError, load_image
from ui.components import ImageFileInput
from ui.context import AppContext
from ui.gpu import on_gpu

EXAMPLES = sorted(str(p) for p in (Path(__file__).resolve().parent.parent / "examples" / "colorize").glob("*.jpg"))
NOTES = (
    "Color is predicted from the photo's lightness (CIE L) at a moderate size and joined with the photo's "
    "own full-resolution L, so details and tones are kept exactly. The bundled models were trained by us on "
    "CIFAR-10 photos on a CPU: expect plausible, muted colors, strongest on skies, grass and skin. "
    "Photos over 50 megapixels are refused; please downscale them first."
)


def build_tab(ctx: AppContext) -> None:
    """Add the Colorize tab to the app being built."""

    @lru_cache(maxsize=4)
    def model_for(name: str):
        return load_colorizer(name, ctx.device)

    @on_gpu(duration=30)
    def run(photo: str | None, model_name: str, size: float) -> tuple[str, str, str]:
        try:
            image = load_image(photo)
            model, source = model_for(model_name.strip() or DEFAULT_MODEL)
        except (InvalidImageError, WeightsError) as error:
            raise gr.Error(str(error)) from None
        result = colorize(image, model, int(size))
        target = Path(tempfile.mkdtemp(prefix="colorized-")) / f"{Path(photo).stem}-color.png"
        result.save(target)
        return str(target), str(target), f"{image.width}×{image.height} px, model {model_name} ({source})."

    with gr.Tab("Colorize"):
        gr.Markdown("Bring an old black-and-white photo back in plausible color. " + NOTES)
        with gr.Row():
            photo = ImageFileInput(label="Black-and-white photo", type="filepath", sources=["upload", "webcam", "clipboard"], format="png", elem_id="colorize-photo")
            colorized = gr.Image(label="Colorized", type="filepath", format="png", interactive=False, buttons=["download", "fullscreen"], elem_id="colorize-result")
        with gr.Row():
            model_name = gr.Dropdown(list(SHIPPED_MODELS), value=DEFAULT_MODEL, label="Model (or a Hub repo id)", allow_custom_value=True)
            size = gr.Slider(32, 256, value=DEFAULT_SIZE, step=32, label="Color prediction size (px, longer side)")
        button = gr.Button("Colorize", variant="primary")
        download = gr.File(label="Full-resolution PNG")
        status = gr.Markdown(elem_id="colorize-status")
        gr.Examples(EXAMPLES, inputs=photo)
        button.click(run, [photo, model_name, size], [colorized, download, status], api_name="colorize", concurrency_limit=2)
