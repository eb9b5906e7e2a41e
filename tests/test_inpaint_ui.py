"""The Inpaint tab: widgets map to Inpainter calls, the `inpaint` endpoint through gradio_client, answers to bad
input."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client, handle_file
from inpaint_helpers import shipped_tiny_prior, tiny_inpainter
from PIL import Image

from inpaint.search import SearchConfig
from ui.inpaint import (
    MODES,
    RECOMMENDED,
    SOLVER_LABELS,
    editor_inputs,
    enlarged,
    hole_from_image,
    hole_from_layer,
    search_config,
    search_updates,
    with_preset,
)

SKIP = type(gr.skip())


@pytest.fixture(scope="module")
def prior_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with shipped_tiny_prior(tmp_path_factory.mktemp("shipped")) as name:
        yield name


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("inpaint-ui")
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
def client(serve_app, prior_name: str) -> Client:
    return Client(serve_app(tabs=("ui.inpaint",)), verbose=False)


def call(client: Client, files: dict[str, str], prior: str, image: str = "image", mask: str = "mask") -> str:
    return client.predict(handle_file(files[image]), handle_file(files[mask]), prior, 20, 2, api_name="/inpaint")


def test_inpaint_endpoint_fills_the_hole_and_keeps_the_rest(
    client: Client, files: dict[str, str], prior_name: str
) -> None:
    result = np.asarray(Image.open(call(client, files, prior_name)).convert("RGB"))
    image = np.asarray(Image.open(files["image"]))
    hole = np.zeros((24, 24), bool)
    hole[8:16, 8:16] = True
    assert result.shape == image.shape
    assert np.array_equal(result[~hole], image[~hole])
    assert not np.array_equal(result[hole], image[hole])


@pytest.mark.parametrize(
    ("image", "mask", "prior", "message"),
    [
        ("image", "empty", None, "mask is empty"),
        ("image", "full", None, "covers the whole image"),
        ("image", "small", None, "same size"),
        ("notes", "mask", None, "not an image"),
        ("image", "notes", None, "not an image"),
        ("image", "mask", "/etc", "Folders of this server cannot be named here"),
    ],
)
def test_inpaint_endpoint_explains_bad_input(
    client: Client, files: dict[str, str], prior_name: str, image: str, mask: str, prior: str | None, message: str
) -> None:
    with pytest.raises(Exception, match=message):
        call(client, files, prior or prior_name, image, mask)


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


def test_small_images_are_shown_enlarged_with_sharp_pixels_and_large_ones_unchanged() -> None:
    small = np.arange(8 * 8 * 3, dtype=np.uint8).reshape(8, 8, 3)
    shown = enlarged(small, 256)
    assert shown.shape == (256, 256, 3) and np.array_equal(shown[::32, ::32], small)
    photo = np.zeros((300, 451, 3), np.uint8)
    assert enlarged(photo, 256) is photo


def test_the_tab_shows_g_of_z_live_then_both_fills_and_the_true_size_file() -> None:
    image = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    hole = np.zeros((16, 16), bool)
    hole[4:12, 4:12] = True
    updates = list(
        search_updates(
            tiny_inpainter(), image, hole, MODES[0], SearchConfig(iterations=30, restarts=2, report_every=10), "gan"
        )
    )
    assert len(updates) == 3  # steps 10 and 20 live, then the result at 30
    for live, result, classical, file, status in updates[:-1]:
        assert (
            live.shape == (256, 256, 3)
            and all(isinstance(x, SKIP) for x in (result, classical, file))
            and status.startswith("Step")
        )
    live, result, classical, file, status = updates[-1]
    saved = np.asarray(Image.open(file))
    assert saved.shape == image.shape and np.array_equal(saved[~hole], image[~hole])
    assert np.array_equal(result, enlarged(saved)) and classical.shape == result.shape
    assert (
        status.startswith("GAN fill:")
        and "Right: skimage-biharmonic" in status
        and "the best of 2 proposed-loss restarts" in status
    )


def test_the_default_solver_is_the_posterior_mean_for_the_64_px_priors_and_the_proposed_loss_for_others() -> None:
    assert next(iter(SOLVER_LABELS.values())) == RECOMMENDED
    for prior in ("inpaint-faces", "inpaint-photos"):
        config = search_config(RECOMMENDED, prior, 40, 3)
        assert (config.loss, config.combine) == ("brgm", "mean")
    for prior in ("inpaint-fashion-mnist", "someone/a-hub-prior", None):
        config = search_config(RECOMMENDED, prior, 40, 3)
        assert (config.loss, config.combine) == ("contextual", "best")


def test_every_solver_of_the_tab_is_a_search_with_the_users_iterations_and_restarts_whatever_the_prior() -> None:
    configs = [
        search_config(solver, "inpaint-photos", 40, 3) for solver in SOLVER_LABELS.values() if solver != RECOMMENDED
    ]
    assert all(c.iterations == 40 and c.restarts == 3 for c in configs)
    assert [(c.loss, c.combine) for c in configs] == [
        ("contextual", "best"),
        ("yeh", "best"),
        ("brgm", "best"),
        ("brgm", "mean"),
    ]


def test_the_posterior_mean_fills_with_the_average_of_the_restarts_and_says_so() -> None:
    image = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    hole = np.zeros((16, 16), bool)
    hole[4:12, 4:12] = True
    *_, (_, best, _, _, _) = search_updates(
        tiny_inpainter(), image, hole, MODES[0], search_config("brgm", "tiny", 20, 3), "gan"
    )
    *_, (_, mean, _, file, status) = search_updates(
        tiny_inpainter(), image, hole, MODES[0], search_config("posterior-mean", "tiny", 20, 3), "gan"
    )
    saved = np.asarray(Image.open(file))
    assert np.array_equal(saved[~hole], image[~hole]) and not np.array_equal(mean, best)
    assert "the mean of 3 L-BRGM restarts" in status


def test_super_resolution_mode_returns_four_times_the_input_beside_bicubic() -> None:
    small = np.random.default_rng(2).integers(0, 256, (2, 2, 3), dtype=np.uint8)
    *_, (live, result, bicubic, file, status) = search_updates(
        tiny_inpainter(), small, np.zeros((2, 2), bool), MODES[1], SearchConfig(iterations=10, restarts=1)
    )
    assert np.asarray(Image.open(file)).shape == (8, 8, 3) and result.shape == bicubic.shape == (256, 256, 3)
    assert "×4 to 8×8 px" in status


@pytest.mark.parametrize(
    ("hole", "message"),
    [
        (np.zeros((16, 16), bool), "mask is empty"),
        (np.ones((16, 16), bool), "covers the whole image"),
        (np.ones((8, 16), bool), "same size"),
    ],
)
def test_the_tab_explains_bad_masks(hole: np.ndarray, message: str) -> None:
    image = np.zeros((16, 16, 3), np.uint8)
    with pytest.raises(ValueError, match=message):
        next(search_updates(tiny_inpainter(), image, hole, MODES[0], SearchConfig(iterations=10, restarts=1)))


def test_super_resolution_of_a_photo_larger_than_the_prior_takes_its_central_square_and_says_so() -> None:
    photo = np.random.default_rng(3).integers(0, 256, (16, 24, 3), dtype=np.uint8)
    *_, (_, result, bicubic, file, status) = search_updates(
        tiny_inpainter(), photo, np.zeros((16, 24), bool), MODES[1], SearchConfig(iterations=10, restarts=1)
    )
    assert np.asarray(Image.open(file)).shape == (8, 8, 3)
    assert "the central square (the 16×16 px frame at (4, 0)), shrunk to 2×2, ×4 to 8×8 px" in status


def test_the_classical_fill_is_used_by_default_for_a_thin_stroke_and_named() -> None:
    image = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    hole = np.zeros((64, 64), bool)
    hole[32, 8:56] = True
    *_, (_, result, classical, file, status) = search_updates(
        tiny_inpainter(), image, hole, MODES[0], SearchConfig(iterations=10, restarts=1)
    )
    assert np.array_equal(result, classical) and status.startswith("Classical fill (skimage-biharmonic): the hole is")


def test_a_refusal_is_kept_in_the_status_line_as_a_sentence() -> None:
    from ui.inpaint import refusal

    live, result, classical, file, status = refusal(ValueError("The mask is empty: paint over the region to fill."))
    assert (live, result, classical, file) == (
        None,
        None,
        None,
        None,
    ) and status == "**Not run:** The mask is empty: paint over the region to fill."


def test_the_labels_and_the_inpainting_controls_follow_the_mode() -> None:
    from ui.inpaint import LABELS, mode_updates

    editor, result, comparison, presets, fill = mode_updates(MODES[1])
    assert (editor["label"], result["label"], comparison["label"]) == LABELS[MODES[1]]
    assert presets["visible"] is False and fill["visible"] is False
    assert mode_updates(MODES[0])[3]["visible"] is True


def test_the_tab_asks_for_a_photo_when_none_is_given() -> None:
    with pytest.raises(ValueError, match="upload a photo"):
        editor_inputs({"background": None, "layers": [], "composite": None})
