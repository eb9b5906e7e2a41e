"""The Inpaint tab's `inpaint` endpoint through gradio_client, and its answers to bad input."""
from __future__ import annotations


import numpy as np
import pytest
import torch
from gradio_client import Client, handle_file
from PIL import Image

from inpaint.prior import InpaintPrior
import gradio as gr

from ui.inpaint import editor_inputs, hole_from_image, hole_from_layer, search_updates, with_preset


@pytest.fixture(scope="module")
def tiny_rgb_prior() -> InpaintPrior:
    torch.manual_seed(0)
    return InpaintPrior(latent_dim=8, channels=3, image_size=8, generator_channels=4, critic_channels=4, content_size=8).eval().requires_grad_(False)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, tiny_rgb_prior: InpaintPrior) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("inpaint-ui")
    tiny_rgb_prior.save_pretrained(folder / "prior")
    image = np.random.default_rng(0).integers(0, 256, (24, 24, 3), dtype=np.uint8)
    Image.fromarray(image).save(folder / "image.png")
    mask = np.zeros((24, 24), np.uint8)
    mask[8:16, 8:16] = 255
    Image.fromarray(mask).save(folder / "mask.png")
    Image.fromarray(np.zeros((24, 24), np.uint8)).save(folder / "empty.png")
    Image.fromarray(np.full((24, 24), 255, np.uint8)).save(folder / "full.png")
    Image.fromarray(np.zeros((20, 24), np.uint8)).save(folder / "small.png")
    (folder / "notes.txt").write_text("not an image")
    return {name.stem: str(name) for name in folder.iterdir()}


@pytest.fixture(scope="module")
def client(serve_app) -> Client:
    return Client(serve_app(tabs=("ui.inpaint",)), verbose=False)


def call(client: Client, files: dict[str, str], image: str = "image", mask: str = "mask") -> str:
    return client.predict(handle_file(files[image]), handle_file(files[mask]), files["prior"], 5, 2, api_name="/inpaint")


def test_inpaint_endpoint_fills_the_hole_and_keeps_the_rest(client: Client, files: dict[str, str]) -> None:
    result = np.asarray(Image.open(call(client, files)).convert("RGB"))
    image = np.asarray(Image.open(files["image"]))
    hole = np.zeros((24, 24), bool)
    hole[8:16, 8:16] = True
    assert result.shape == image.shape
    assert np.array_equal(result[~hole], image[~hole])
    assert not np.array_equal(result[hole], image[hole])


@pytest.mark.parametrize(
    ("image", "mask", "message"),
    [
        ("image", "empty", "mask is empty"),
        ("image", "full", "covers the whole image"),
        ("image", "small", "same size"),
        ("notes", "mask", "not an image"),
        ("image", "notes", "not an image"),
    ],
)
def test_inpaint_endpoint_explains_bad_input(client: Client, files: dict[str, str], image: str, mask: str, message: str) -> None:
    with pytest.raises(Exception, match=message):
        call(client, files, image, mask)


def test_painted_layer_and_mask_images_become_holes() -> None:
    layer = np.zeros((4, 4, 4), np.uint8)
    layer[1, 2, 3] = 200
    assert hole_from_layer(layer).sum() == 1 and hole_from_layer(layer)[1, 2]
    transparent = np.zeros((4, 4, 4), np.uint8)
    transparent[0, 0] = (0, 0, 0, 255)
    assert hole_from_image(transparent).sum() == 1
    assert hole_from_image(np.array([[0, 255], [128, 100]], np.uint8)).tolist() == [[False, True], [True, False]]


def test_presets_replace_the_painted_layer() -> None:
    value = with_preset({"background": np.zeros((16, 16, 3), np.uint8), "layers": [], "composite": None}, "half", 0)
    assert hole_from_layer(value["layers"][0])[:, :8].all() and not hole_from_layer(value["layers"][0])[:, 8:].any()
    assert value["background"].shape == (16, 16, 4)


def test_the_tab_shows_g_of_z_live_then_the_result_and_its_file(tiny_rgb_prior: InpaintPrior) -> None:
    image = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    hole = np.zeros((16, 16), bool)
    hole[4:12, 4:12] = True
    updates = list(search_updates(tiny_rgb_prior, "tiny", image, hole, "Inpaint", "contextual", 30, 2))
    assert len(updates) == 3  # steps 10 and 20 live, then the result at 30
    for preview, result, file, status in updates[:-1]:
        assert preview.shape == (8, 8, 3) and isinstance(result, type(gr.skip())) and "Done" not in status
    preview, result, file, status = updates[-1]
    assert result.shape == image.shape and np.array_equal(result[~hole], image[~hole])
    assert np.array_equal(np.asarray(Image.open(file)), result) and status.endswith("Done.")


def test_super_resolution_mode_returns_four_times_the_input(tiny_rgb_prior: InpaintPrior) -> None:
    small = np.random.default_rng(2).integers(0, 256, (2, 2, 3), dtype=np.uint8)
    *_, (preview, result, file, status) = search_updates(tiny_rgb_prior, "tiny", small, np.zeros((2, 2), bool), "Super-resolution ×4", "contextual", 10, 1)
    assert result.shape == (8, 8, 3) and status.endswith("Done.")


@pytest.mark.parametrize(
    ("hole", "message"),
    [(np.zeros((16, 16), bool), "mask is empty"), (np.ones((16, 16), bool), "covers the whole image"), (np.ones((8, 16), bool), "same size")],
)
def test_the_tab_explains_bad_masks(tiny_rgb_prior: InpaintPrior, hole: np.ndarray, message: str) -> None:
    image = np.zeros((16, 16, 3), np.uint8)
    with pytest.raises(gr.Error, match=message):
        next(search_updates(tiny_rgb_prior, "tiny", image, hole, "Inpaint", "contextual", 10, 1))


def test_the_tab_asks_for_a_photo_when_none_is_given() -> None:
    with pytest.raises(gr.Error, match="upload a photo"):
        editor_inputs({"background": None, "layers": [], "composite": None})
