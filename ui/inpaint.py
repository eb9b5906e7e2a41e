"""The Inpaint tab: paint over a damaged region (or pick a preset), watch the latent search converge, get the blend.

Widgets map to `inpaint.Inpainter` calls and their results are formatted here; the model, the framing,
the choice of fill, the search and the blending live in `inpaint`. A Super-resolution mode enlarges the face of a
photo of any size ×4; the labels and the controls follow the mode. A refusal stays in the status line as a sentence.
The endpoint `inpaint` takes an image and a mask (white or opaque = fill) and returns the blended image.
Every handler is a generator that yields between search steps, so a cancelled request stops its search.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import gradio as gr
import numpy as np
from PIL import Image

from gan.imageio import load_image
from inpaint.masks import PRESETS, preset_mask
from inpaint.settings import (
    EXAMPLES_DIR,
    INPAINTER,
    SEARCH_ITERATIONS,
    SEARCH_RESTARTS,
    SR_Z_WEIGHT,
    fill_detail,
    recommended_solver,
)
from ui.components import CheckedImageMask, CheckedNumber, CheckedSlider, checked_choice, output_path, user_errors
from ui.context import AppContext
from ui.gpu import on_gpu

if TYPE_CHECKING:  # the handlers import the capability when a request needs it: the app starts without torch
    from inpaint.inference import Inpainter, Progress
    from inpaint.search import SearchConfig

EXAMPLES = sorted(str(p) for p in EXAMPLES_DIR.iterdir() if p.suffix in (".png", ".jpg"))
MASK_COLOR = (255, 0, 255)
BRUSH_COLOR = "#ff00ff"
BRUSH_SIZE = 6  # px; Gradio 6's "auto" brush is a fixed 25 px whatever the photo (a 50-px band on a 150-px photo)
SEARCHES_AT_ONCE = 2  # latent searches at once, tab and API together: a queue of their own
SEARCH_QUEUE = "inpaint-search"  # their concurrency group, where each visitor has a share (app.SHARES)
REPORT_EVERY = 10  # search steps between two live previews (and between two chances to stop a cancelled search)
DISPLAY_SIDE = 256  # smaller images are shown enlarged (nearest neighbour) to at least this side; downloads keep it
ITERATIONS = {"minimum": 20, "maximum": 1000, "value": SEARCH_ITERATIONS, "step": 10, "label": "Search iterations"}
RESTARTS = {
    "minimum": 1,
    "maximum": 16,
    "value": SEARCH_RESTARTS,
    "step": 1,
    "label": "Random restarts (best kept, or averaged)",
}
MODES = ("Inpaint", "Super-resolution ×4")
SR_FACTOR = 4
RECOMMENDED = "recommended"
SOLVER_LABELS = {
    "Best for the chosen prior (measured: the posterior mean for inpaint-faces and inpaint-photos, the proposed loss "
    "otherwise)": RECOMMENDED,
    "Proposed (contextual + gradient, WGAN critic)": "proposed",
    "Yeh et al. 2017 (weighted L1, log(1 - D))": "yeh",
    "L-BRGM (Gaussian likelihood, latent prior; Marinescu et al. 2021)": "brgm",
    "Posterior mean (the average of the L-BRGM restarts: softer, closest to the truth on faces and "
    "photos)": "posterior-mean",
}
LOSS_WORDS = {"contextual": "proposed-loss", "yeh": "Yeh-loss", "brgm": "L-BRGM"}
HEAD = """
<style>
#inpaint-live img, #inpaint-result img, #inpaint-classical img { image-rendering: pixelated; object-fit: contain; }
</style>
"""
FILL_LABELS = {
    "Best for this hole (GAN fill for wide holes and strokes across texture, classical for the rest)": "auto",
    "GAN fill (latent search)": "gan",
    "Classical fill (biharmonic)": "classical",
}
INTRO = (
    "Paint over what should go (or apply a preset), pick the prior that matches the photo (**inpaint-faces** for "
    "portraits, **inpaint-photos** for scenes) and press **Run**; the status line says which fill was used and why. "
    "**Super-resolution ×4** enlarges the face of a photo of any size."
)
METHOD = """
**How it fills.** The priors are small WGAN-GPs trained by us on a CPU at 64×64. A prior fills best what it was
trained on, so the fill is made in a frame of the photo the prior knows: for **inpaint-faces** the whole face
(the whole photo when it is a face crop; otherwise the face found by dlib's frontal-face detector), for
**inpaint-photos** the hole with its own side of surroundings on each side. The frame is shrunk to 64×64, the
latent search finds the code whose generated image best matches the unpainted part (the posterior mean of L-BRGM
restarts; Marinescu et al. 2021, after Yeh et al. 2017), and the fill is enlarged back and Poisson-blended into the
hole at full resolution: pixels outside the hole never change. The photo prior's scenes are only partly right, so its
fill keeps {detail} of its own detail over the smooth membrane fill of the hole's border (measured best). You see G(z)
converge on the right.

**Which fill.** Thin strokes, scratches and holes that are small in the frame are filled best by a classical
diffusion (scikit-image's biharmonic, shown beside every result); wide holes in a face or a texture by the GAN. By
default each hole gets the fill the measured rule gives it (docs/inpaint.md); a face prior meeting a photo with no
face says so and fills classically. You can force either fill.

**How well.** Measured on held-out photos at their own size through this very call (docs/inpaint.md):
{numbers}

**Super-resolution ×4** frames the face (or takes the whole image when it is at most 16×16), shrinks it to 16×16 and
enlarges it ×4 to 64×64 by latent search, made to agree with the shrunk input (shrunk back, it is that input).
"""
NUMBERS = "see docs/inpaint.md for the tables."
LABELS = {
    MODES[0]: (
        "Photo — paint over the part to fill",
        "Filled (the fill named below)",
        "Classical fill, for comparison",
    ),
    MODES[1]: ("Photo with a face (any size), or a small image", "×4 by latent search", "Bicubic ×4, for comparison"),
}
"""Per mode: the labels of the editor, the result and the comparison."""


def hole_from_layer(layer: np.ndarray | None) -> np.ndarray | None:
    """Painted pixels of an editor layer (RGBA: alpha > 0; RGB/gray: non-black) as a bool HxW mask."""
    if layer is None:
        return None
    layer = np.asarray(layer)
    if layer.ndim == 3 and layer.shape[2] == 4:
        return layer[..., 3] > 0
    return (layer if layer.ndim == 2 else layer.max(axis=2)) > 0


def hole_from_image(mask: np.ndarray) -> np.ndarray:
    """A mask image as a hole: opaque pixels when it has transparency, else pixels brighter than mid-gray."""
    if mask.ndim == 3 and mask.shape[2] == 4 and (mask[..., 3] < 255).any():
        return mask[..., 3] > 127
    gray = mask if mask.ndim == 2 else mask[..., :3].mean(axis=2)
    return gray > 127


def editor_inputs(value: dict | None) -> tuple[np.ndarray, np.ndarray]:
    """The photo (RGB uint8) and the painted hole of an ImageMask value, or ValueError with a sentence."""
    if not isinstance(value, dict) or value.get("background") is None:
        raise ValueError("Please upload a photo or pick an example first.")
    image = np.asarray(load_image(np.asarray(value["background"])))
    layers = value.get("layers") or []
    hole = hole_from_layer(layers[0]) if layers else None
    return image, np.zeros(image.shape[:2], bool) if hole is None else hole


def with_preset(value: dict | None, preset: str, seed: int) -> dict:
    """The editor value with its mask layer replaced by the preset hole."""
    if not isinstance(value, dict) or value.get("background") is None:
        raise ValueError("Please upload a photo or pick an example first.")
    background = np.asarray(load_image(np.asarray(value["background"])))
    background = np.concatenate([background, np.full(background.shape[:2] + (1,), 255, np.uint8)], axis=2)
    hole = preset_mask(checked_choice(preset, "Mask preset", PRESETS), *background.shape[:2], seed=seed)
    layer = np.zeros(background.shape[:2] + (4,), np.uint8)
    layer[hole] = (*MASK_COLOR, 255)
    composite = background.copy()
    composite[hole] = layer[hole]
    return {"background": background, "layers": [layer], "composite": composite}


def read_mask(path: str | None) -> np.ndarray:
    """A mask file as an array, keeping its alpha channel, or ValueError with a sentence."""
    if path is None:
        raise ValueError("Please provide a mask image: white (or opaque) where the image should be filled.")
    load_image(path)
    with Image.open(path) as raw:
        has_alpha = raw.mode in ("RGBA", "LA", "PA") or "transparency" in raw.info
        return np.asarray(raw.convert("RGBA" if has_alpha else "L"))


def enlarged(image: np.ndarray, side: int = DISPLAY_SIDE) -> np.ndarray:
    """`image` repeated pixel by pixel until its longer side reaches `side` (unchanged when it already does)."""
    factor = max(1, math.ceil(side / max(image.shape[:2])))
    return image if factor == 1 else np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def save_png(image: np.ndarray, name: str) -> str:
    """Write an RGB uint8 image at its true size to a fresh output PNG and return its path."""
    path = output_path(name)
    Image.fromarray(image).save(path)
    return str(path)


def solver_phrase(config: SearchConfig) -> str:
    """How the search's restarts became the fill, in words: "the mean of 8 L-BRGM restarts", "the best of 4 Yeh-loss
    restarts"."""
    return f"the {config.combine} of {config.restarts} {LOSS_WORDS[config.loss]} restarts"


def search_config(solver: str, prior_name: str | None, iterations: int, restarts: int) -> SearchConfig:
    """The search settings of a named solver (inpaint.settings.SOLVERS, or RECOMMENDED: the one measured best
    for `prior_name`) with the user's iterations and restarts."""
    from inpaint.search import solver_config

    solver = recommended_solver(prior_name) if solver == RECOMMENDED else solver
    return solver_config(solver, iterations=iterations, restarts=restarts, report_every=REPORT_EVERY)


def result_status(progress: Progress, config: SearchConfig) -> str:
    """The status line of a finished fill or enlargement: what was done, with what, how long."""
    from inpaint.inference import InpaintResult

    result = progress.result
    searched = f", {solver_phrase(config)}" if not isinstance(result, InpaintResult) or result.fill == "gan" else ""
    if isinstance(result, InpaintResult):
        right = f"Right: {result.classical_method} on the same hole."
    else:
        right = "Right: bicubic enlargement of the same input."
    return (
        f"{result.note} Done in {result.seconds:.1f} s with prior {result.model} ({result.source}){searched}. {right}"
    )


def search_updates(
    inpainter: Inpainter, image: np.ndarray, hole: np.ndarray, mode: str, config: SearchConfig, fill: str = "auto"
) -> Iterator[tuple]:
    """The tab's outputs (live G(z), result, comparison, PNG file, status) every few search steps; the last carry the
    result."""
    from inpaint.inference import InpaintResult

    if mode == MODES[1]:
        steps = inpainter.super_resolve_steps(image, SR_FACTOR, replace(config, z_weight=SR_Z_WEIGHT))
    else:
        steps = inpainter.inpaint_steps(image, hole, config, fill)
    for progress in steps:
        if progress.done:
            result = progress.result
            comparison = result.classical if isinstance(result, InpaintResult) else result.bicubic
            file = save_png(
                result.image, "inpainted.png" if isinstance(result, InpaintResult) else "super-resolved.png"
            )
            yield (
                enlarged(progress.preview),
                enlarged(result.image),
                enlarged(comparison),
                file,
                result_status(progress, config),
            )
        else:
            status = f"Step {progress.step}/{progress.total}, loss {progress.loss:.3g}, prior {inpainter.name}."
            yield enlarged(progress.preview), gr.skip(), gr.skip(), gr.skip(), status


def refusal(error: ValueError) -> tuple:
    """The tab's outputs for a refused request: empty images and the sentence, kept visible in the status line."""
    return None, None, None, None, f"**Not run:** {error}"


def mode_updates(mode: str) -> tuple:
    """Labels and controls for `mode`: editor, result and comparison labels; presets and the fill choice only to
    inpaint."""
    editor, result, comparison = LABELS[checked_choice(mode, "Mode", MODES)]
    inpainting = mode == MODES[0]
    return (
        gr.update(label=editor),
        gr.update(label=result),
        gr.update(label=comparison),
        gr.update(visible=inpainting),
        gr.update(visible=inpainting),
    )


def result_image(label: str, elem_id: str) -> gr.Image:
    """An output image of the tab (a fill, or the classical fill beside it), viewable full screen."""
    return gr.Image(label=label, type="numpy", format="png", interactive=False, buttons=["fullscreen"], elem_id=elem_id)


def build_tab(ctx: AppContext) -> None:
    """Add the Inpaint tab (and the `inpaint` endpoint) to the app being built."""

    @user_errors
    @on_gpu(duration=120)
    def run(
        value: dict | None, mode: str, prior_name: str | None, fill: str, solver: str, iterations: int, restarts: int
    ) -> Iterator[tuple]:
        try:
            mode = checked_choice(mode, "Mode", MODES)
            fill = FILL_LABELS[checked_choice(fill, "Fill", FILL_LABELS)]
            solver = SOLVER_LABELS[checked_choice(solver, "Solver", SOLVER_LABELS)]
            image, hole = editor_inputs(value)
            inpainter = ctx.load(INPAINTER, prior_name)
            config = search_config(solver, prior_name, iterations, restarts)
            yield from search_updates(inpainter, image, hole, mode, config, fill)
        except ValueError as error:
            yield refusal(error)

    @user_errors
    @on_gpu(duration=120)
    def inpaint_endpoint(
        image_path: str | None, mask_path: str | None, prior_name: str | None, iterations: int, restarts: int
    ) -> Iterator:
        image = np.asarray(load_image(image_path))
        hole = hole_from_image(read_mask(mask_path))
        inpainter = ctx.load(INPAINTER, prior_name)
        config = search_config(RECOMMENDED, prior_name, iterations, restarts)
        for progress in inpainter.inpaint_steps(image, hole, config):
            yield progress.result.image if progress.done else gr.skip()

    @user_errors
    def apply_preset(value: dict | None, preset: str, seed: int) -> dict:
        return with_preset(value, preset, seed)

    priors = INPAINTER.shipped_models()
    with gr.Tab("Inpaint"):
        gr.Markdown(INTRO)
        mode = gr.Radio(list(MODES), value=MODES[0], label="Mode")
        with gr.Row():
            editor = CheckedImageMask(
                label=LABELS[MODES[0]][0],
                type="numpy",
                image_mode="RGBA",
                sources=["upload", "clipboard"],
                brush=gr.Brush(colors=[BRUSH_COLOR], color_mode="fixed", default_size=BRUSH_SIZE),
                eraser=gr.Eraser(default_size=BRUSH_SIZE),
                format="png",
                elem_id="inpaint-editor",
            )
            live = gr.Image(
                label="G(z) during the search",
                type="numpy",
                format="png",
                interactive=False,
                height=300,
                elem_id="inpaint-live",
            )
        with gr.Row():
            result = result_image(LABELS[MODES[0]][1], "inpaint-result")
            classical = result_image(LABELS[MODES[0]][2], "inpaint-classical")
        with gr.Row():
            prior_name = gr.Dropdown(
                priors, value=priors[0] if priors else None, label="Prior (or a Hub repo id)", allow_custom_value=True
            )
            fill = gr.Radio(list(FILL_LABELS), value=next(iter(FILL_LABELS)), label="Fill")
        with gr.Row() as presets:
            preset = gr.Dropdown(
                list(PRESETS),
                value="center",
                label="Mask preset (center square, left half, random blocks, a scratch across)",
            )
            preset_seed = CheckedNumber(
                0, minimum=0, maximum=10**6, precision=0, label="Seed of the random blocks or the scratch"
            )
            preset_button = gr.Button("Apply preset")
        button = gr.Button("Run", variant="primary")
        status = gr.Markdown(elem_id="inpaint-status")
        download = gr.File(label="Result as PNG (true size)", elem_id="inpaint-download")
        gr.Examples(EXAMPLES, inputs=editor)
        with gr.Accordion("Search settings", open=False):
            solver = gr.Radio(list(SOLVER_LABELS), value=next(iter(SOLVER_LABELS)), label="Solver")
            with gr.Row():
                iterations = CheckedSlider(precision=0, elem_id="inpaint-iterations", **ITERATIONS)
                restarts = CheckedSlider(precision=0, **RESTARTS)
        with gr.Accordion("How it works, and how well", open=False):
            gr.Markdown(METHOD.format(numbers=NUMBERS, detail=f"{fill_detail('inpaint-photos'):.0%}"))
        mode.change(mode_updates, mode, [editor, result, classical, presets, fill], api_visibility="private")
        preset_button.click(apply_preset, [editor, preset, preset_seed], editor, api_visibility="private")
        button.click(
            run,
            [editor, mode, prior_name, fill, solver, iterations, restarts],
            [live, result, classical, download, status],
            api_visibility="private",
            concurrency_limit=SEARCHES_AT_ONCE,
            concurrency_id=SEARCH_QUEUE,
        )
        with gr.Row(visible=False):
            api_image = gr.File(type="filepath", label="Image")
            api_mask = gr.File(type="filepath", label="Mask (white = fill)")
            api_prior = gr.Textbox(priors[0] if priors else "", label="Prior")
            api_iterations = CheckedNumber(
                ITERATIONS["value"],
                minimum=ITERATIONS["minimum"],
                maximum=ITERATIONS["maximum"],
                precision=0,
                label=ITERATIONS["label"],
            )
            api_restarts = CheckedNumber(
                RESTARTS["value"],
                minimum=RESTARTS["minimum"],
                maximum=RESTARTS["maximum"],
                precision=0,
                label=RESTARTS["label"],
            )
            api_result = gr.Image(type="numpy", format="png", label="Inpainted")
        gr.Button(visible=False).click(
            inpaint_endpoint,
            [api_image, api_mask, api_prior, api_iterations, api_restarts],
            api_result,
            api_name="inpaint",
            concurrency_limit=SEARCHES_AT_ONCE,
            concurrency_id=SEARCH_QUEUE,
        )
