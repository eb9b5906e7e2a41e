"""The Inpaint tab: paint over a damaged region (or pick a preset), watch the latent search converge, get the blend.

A Super-resolution mode returns the x4 reconstruction of a small image. The endpoint `inpaint`
takes an image and a mask (white or opaque = fill) and returns the blended image.
"""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from gan.hub import WeightsError
from gan.imageio import InvalidImageError, load_image
from inpaint.masks import PRESETS, check_mask, preset_mask
from inpaint.examples import EXAMPLES_DIR
from inpaint.pipeline import SR_Z_WEIGHT, inpaint_steps, super_resolve_steps
from inpaint.prior import BUNDLED_PRIORS, InpaintPrior, load_prior
from inpaint.search import SearchConfig
from ui.context import AppContext
from ui.gpu import on_gpu

EXAMPLES = sorted(str(p) for p in EXAMPLES_DIR.glob("*.png"))
MASK_COLOR = (255, 0, 255)
# Latent searches running at once, the tab and the API together: a queue of its own, so searches never hold up colorization.
SEARCHES_AT_ONCE = 2
# Priors work at 28-32 px: show their images enlarged with sharp pixels (the downloads keep the true size).
HEAD = """
<style>
#inpaint-live img, #inpaint-result img { width: 100%; height: 100%; object-fit: contain; image-rendering: pixelated; }
</style>
"""
LOSSES = {"Proposed (contextual + gradient, WGAN critic)": "contextual", "Yeh et al. 2017 (weighted L1, log(1 - D))": "yeh"}
NOTES = (
    "Paint over what should be filled (brush size, eraser and undo are in the editor toolbar) or apply a preset, "
    "pick the prior that matches your image, and press **Run**. The search looks for the latent code whose "
    "generated image best matches the unpainted context (Vitoria, Sintes and Ballester 2019, after Yeh et al. 2017); "
    "you see G(z) converge, then the Poisson-blended result. The shipped priors are small WGAN-GPs trained by us "
    "on a CPU at 32×32 (Fashion-MNIST, CIFAR-10): larger photos are filled through a crop around the hole at that "
    "scale, so large holes come out soft. **Super-resolution ×4** reconstructs a small image (resized to 8×8) at 32×32."
)


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
    """The photo (RGB uint8) and the painted hole of an ImageMask value, or gr.Error."""
    if not value or value.get("background") is None:
        raise gr.Error("Please upload a photo or pick an example first.")
    try:
        image = np.asarray(load_image(np.asarray(value["background"])))
    except InvalidImageError as error:
        raise gr.Error(str(error)) from None
    layers = value.get("layers") or []
    hole = hole_from_layer(layers[0]) if layers else None
    return image, np.zeros(image.shape[:2], bool) if hole is None else hole


def with_preset(value: dict | None, preset: str, seed: float) -> dict:
    """The editor value with its mask layer replaced by the preset hole."""
    if not value or value.get("background") is None:
        raise gr.Error("Please upload a photo or pick an example first.")
    background = np.asarray(value["background"])
    if background.ndim == 2:
        background = np.stack([background] * 3, axis=2)
    if background.shape[2] == 3:
        background = np.concatenate([background, np.full(background.shape[:2] + (1,), 255, np.uint8)], axis=2)
    hole = preset_mask(preset, *background.shape[:2], seed=int(seed))
    layer = np.zeros(background.shape[:2] + (4,), np.uint8)
    layer[hole] = (*MASK_COLOR, 255)
    composite = background.copy()
    composite[hole] = layer[hole]
    return {"background": background, "layers": [layer], "composite": composite}


def read_mask(path: str) -> np.ndarray:
    """A mask file as an array, keeping its alpha channel, or InvalidImageError for a non-image."""
    load_image(path)
    with Image.open(path) as raw:
        has_alpha = raw.mode in ("RGBA", "LA", "PA") or "transparency" in raw.info
        return np.asarray(raw.convert("RGBA" if has_alpha else "L"))


def save_png(image: np.ndarray) -> str:
    """Write an RGB uint8 image to a temporary PNG and return its path."""
    path = Path(tempfile.mkdtemp(prefix="inpainted-")) / "inpainted.png"
    Image.fromarray(image).save(path)
    return str(path)


def search_updates(
    prior: InpaintPrior, label: str, image: np.ndarray, hole: np.ndarray, mode: str, loss: str, iterations: int, restarts: int
) -> Iterator[tuple]:
    """The tab's outputs (live G(z), result, PNG file, status) every 10 search steps; result and file come last."""
    config = SearchConfig(loss=loss, iterations=iterations, restarts=restarts, report_every=10)
    if mode.startswith("Super"):
        steps = super_resolve_steps(prior, image, 4, replace(config, z_weight=SR_Z_WEIGHT))
    else:
        if not hole.any():
            raise gr.Error("The mask is empty: paint over the region to fill, or apply a preset.")
        try:
            check_mask(hole, image.shape)
        except ValueError as error:
            raise gr.Error(str(error)) from None
        steps = inpaint_steps(prior, image, hole, config)
    for progress in steps:
        status = f"Step {progress.step}/{progress.total}, loss {progress.loss:.3g}, prior {label}."
        if progress.done:
            yield progress.preview, progress.result, save_png(progress.result), status + " Done."
        else:
            yield progress.preview, gr.skip(), gr.skip(), status


def build_tab(ctx: AppContext) -> None:
    """Add the Inpaint tab (and the `inpaint` endpoint) to the app being built."""

    @lru_cache(maxsize=4)
    def prior_for(name: str) -> tuple[InpaintPrior, str]:
        prior, source = load_prior(name)
        return prior.to(ctx.device), source

    def get_prior(name: str) -> tuple[InpaintPrior, str]:
        try:
            return prior_for((name or BUNDLED_PRIORS[0]).strip())
        except WeightsError as error:
            raise gr.Error(str(error)) from None

    @on_gpu(duration=120)
    def run(value: dict | None, mode: str, prior_name: str, loss: str, iterations: float, restarts: float) -> Iterator[tuple]:
        image, hole = editor_inputs(value)
        prior, source = get_prior(prior_name)
        yield from search_updates(prior, f"`{prior_name}` ({source})", image, hole, mode, LOSSES.get(loss, "contextual"), int(iterations), int(restarts))

    @on_gpu(duration=120)
    def inpaint_endpoint(image_path: str | None, mask_path: str | None, prior_name: str, iterations: float, restarts: float) -> np.ndarray:
        if mask_path is None:
            raise gr.Error("Please provide a mask image: white (or opaque) where the image should be filled.")
        try:
            image = np.asarray(load_image(image_path))
            hole = check_mask(hole_from_image(read_mask(mask_path)), image.shape)
        except (InvalidImageError, ValueError) as error:
            raise gr.Error(str(error)) from None
        if not hole.any():
            raise gr.Error("The mask is empty: mark the region to fill in white (or opaque).")
        prior, _ = get_prior(prior_name)
        config = SearchConfig(iterations=max(1, int(iterations)), restarts=max(1, int(restarts)), report_every=10**9)
        return list(inpaint_steps(prior, image, hole, config))[-1].result

    with gr.Tab("Inpaint"):
        gr.Markdown(NOTES)
        mode = gr.Radio(["Inpaint", "Super-resolution ×4"], value="Inpaint", label="Mode")
        with gr.Row():
            editor = gr.ImageMask(
                label="Photo — paint over the part to fill",
                type="numpy",
                image_mode="RGBA",
                sources=["upload", "clipboard"],
                brush=gr.Brush(colors=["#ff00ff"], color_mode="fixed", default_size=3),
                eraser=gr.Eraser(default_size=3),
                format="png",
                elem_id="inpaint-editor",
            )
            with gr.Column():
                live = gr.Image(label="G(z) during the search", type="numpy", format="png", interactive=False, height=220, elem_id="inpaint-live")
                result = gr.Image(label="Result", type="numpy", format="png", interactive=False, buttons=["download", "fullscreen"], elem_id="inpaint-result")
        with gr.Row():
            preset = gr.Dropdown(list(PRESETS), value="center", label="Mask preset (center square, left half, random blocks)")
            preset_seed = gr.Number(0, precision=0, label="Random-blocks seed")
            apply_preset = gr.Button("Apply preset")
        with gr.Row():
            prior_name = gr.Dropdown(list(BUNDLED_PRIORS), value=BUNDLED_PRIORS[1], label="Prior (or a Hub repo id / folder)", allow_custom_value=True)
            loss = gr.Radio(list(LOSSES), value=next(iter(LOSSES)), label="Search loss")
        with gr.Row():
            iterations = gr.Slider(20, 1000, value=300, step=10, label="Search iterations")
            restarts = gr.Slider(1, 16, value=8, step=1, label="Random restarts (best kept)")
        button = gr.Button("Run", variant="primary")
        status = gr.Markdown(elem_id="inpaint-status")
        download = gr.File(label="Result as PNG")
        gr.Examples(EXAMPLES, inputs=editor)
        apply_preset.click(with_preset, [editor, preset, preset_seed], editor, api_visibility="private")
        button.click(run, [editor, mode, prior_name, loss, iterations, restarts], [live, result, download, status], api_visibility="private", concurrency_limit=SEARCHES_AT_ONCE, concurrency_id="inpaint-search")
        with gr.Row(visible=False):
            api_image = gr.File(type="filepath", label="Image")
            api_mask = gr.File(type="filepath", label="Mask (white = fill)")
            api_prior = gr.Textbox(BUNDLED_PRIORS[1], label="Prior")
            api_iterations = gr.Number(300, precision=0, label="Search iterations")
            api_restarts = gr.Number(8, precision=0, label="Random restarts")
            api_result = gr.Image(type="numpy", format="png", label="Inpainted")
        gr.Button(visible=False).click(inpaint_endpoint, [api_image, api_mask, api_prior, api_iterations, api_restarts], api_result, api_name="inpaint", concurrency_limit=SEARCHES_AT_ONCE, concurrency_id="inpaint-search")

