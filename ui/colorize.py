"""The Colorize tab: upload an old photo, pick a model, get it back in color at full resolution."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from colorgan.settings import (
    COLORIZER,
    DEFAULT_SIZE,
    DEFAULT_STRENGTH,
    DEFAULT_TEMPERATURE,
    MAX_STRENGTH,
    MAX_TEMPERATURE,
    MIN_STRENGTH,
    MIN_TEMPERATURE,
)
from gan.imageio import MAX_PIXELS, load_image
from ui.components import CheckedSlider, ImageFileInput, output_path, user_errors
from ui.context import AppContext
from ui.gpu import on_gpu

EXAMPLES = sorted(str(p) for p in (Path(__file__).resolve().parent.parent / "examples" / "colorize").glob("*.jpg"))
NOTES = (
    "Color is predicted from the photo's lightness (CIE L) at a moderate size and joined with the photo's "
    "own full-resolution L, so details and tones are kept exactly. The bundled models were trained by us on "
    "Tiny ImageNet photos and UTKFace portraits (64×64) on a CPU: expect muted, warm tones: skin and wood look "
    "plausible, while skies, water and foliage mostly stay near gray (see the README's showcase); a color strength "
    "above 1 saturates what the model predicts. "
    f"Photos over {MAX_PIXELS / 1e6:.0f} megapixels are refused; please downscale them first."
)


def build_tab(ctx: AppContext) -> None:
    """Add the Colorize tab to the app being built."""

    @user_errors
    @on_gpu(duration=30)
    def run(
        photo: str | None, model_name: str | None, size: int, strength: float, temperature: float = DEFAULT_TEMPERATURE
    ) -> tuple[str, str, str]:
        image = load_image(photo)
        colorizer = ctx.load(COLORIZER, model_name)
        result = colorizer(image, size, strength, temperature if colorizer.predicts_distribution else None)
        target = output_path(f"{Path(photo).stem}-color.png")
        result.image.save(target)
        height, width = result.size
        status = (
            f"{image.width}×{image.height} px, model {result.model} ({result.source}), "
            f"color predicted at {width}×{height} px, color strength {result.strength:g}, "
            + (
                f"vividness temperature {result.temperature:g}, "
                if result.temperature is not None
                else "no vividness control (this model predicts one colour), "
            )
            + f"{result.seconds:.2f} s."
        )
        return str(target), str(target), status

    with gr.Tab("Colorize"):
        gr.Markdown("Bring an old black-and-white photo back in plausible color. " + NOTES)
        with gr.Row():
            photo = ImageFileInput(
                label="Black-and-white photo",
                type="filepath",
                sources=["upload", "webcam", "clipboard"],
                format="png",
                elem_id="colorize-photo",
            )
            colorized = gr.Image(
                label="Colorized",
                type="filepath",
                format="png",
                interactive=False,
                buttons=["download", "fullscreen"],
                elem_id="colorize-result",
            )
        with gr.Row():
            models = COLORIZER.shipped_models()
            model_name = gr.Dropdown(
                models, value=models[0] if models else None, label="Model (or a Hub repo id)", allow_custom_value=True
            )
            size = CheckedSlider(
                32, 512, value=DEFAULT_SIZE, step=32, precision=0, label="Color prediction size (px, longer side)"
            )
            strength = CheckedSlider(
                MIN_STRENGTH,
                MAX_STRENGTH,
                value=DEFAULT_STRENGTH,
                step=0.1,
                label="Color strength (1 = the model's own, 0 = gray)",
            )
            temperature = CheckedSlider(
                MIN_TEMPERATURE,
                MAX_TEMPERATURE,
                value=DEFAULT_TEMPERATURE,
                step=0.01,
                label="Vividness: temperature of distribution models (lower = more vivid, 1 = the average colour)",
            )
        button = gr.Button("Colorize", variant="primary")
        download = gr.File(label="Full-resolution PNG")
        status = gr.Markdown(elem_id="colorize-status")
        gr.Examples(EXAMPLES, inputs=photo)
        inputs = [photo, model_name, size, strength, temperature]
        button.click(run, inputs, [colorized, download, status], api_name="colorize", concurrency_limit=2)
