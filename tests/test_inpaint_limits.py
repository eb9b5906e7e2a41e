"""The work one inpainting request may cause is bounded: parameters within the UI's bounds, cancel stops the search,
holes and photos capped."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from gradio_client import Client, handle_file
from inpaint_helpers import shipped_tiny_prior
from PIL import Image

import inpaint.search
from ui.inpaint import RESTARTS


@pytest.fixture(scope="module")
def prior_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with shipped_tiny_prior(tmp_path_factory.mktemp("shipped")) as name:
        yield name


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("limits")
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (60, 60, 3), dtype=np.uint8)).save(folder / "image.png")
    small, large = np.zeros((60, 60), np.uint8), np.zeros((60, 60), np.uint8)
    small[26:34, 26:34] = 255
    large[5:55, 5:55] = 255
    Image.fromarray(small).save(folder / "mask.png")
    Image.fromarray(large).save(folder / "large.png")
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (200, 200, 3), dtype=np.uint8)).save(folder / "big.png")
    huge = np.zeros((200, 200), np.uint8)
    huge[20:180, 20:180] = 255
    Image.fromarray(huge).save(folder / "huge.png")
    return {path.stem: str(path) for path in folder.iterdir()}


@pytest.fixture(scope="module")
def client(serve_app, prior_name: str) -> Client:
    return Client(serve_app(tabs=("ui.inpaint",)), verbose=False)


def submit(client: Client, files: dict[str, str], prior: str, iterations: object, restarts: object, mask: str = "mask"):
    return client.submit(
        handle_file(files["image"]), handle_file(files[mask]), prior, iterations, restarts, api_name="/inpaint"
    )


@pytest.mark.parametrize(
    ("iterations", "restarts", "message"),
    [
        (1e30, 2, "Search iterations must be between 20 and 1000"),
        (100, 8192, "Random restarts .* must be between 1 and 16"),
        (None, 2, "Search iterations must be a number"),
        ("many", 2, "Search iterations must be a number"),
    ],
)
def test_inpaint_endpoint_refuses_parameters_outside_the_tabs_bounds(
    client: Client, files: dict[str, str], prior_name: str, iterations: object, restarts: object, message: str
) -> None:
    started = time.perf_counter()
    with pytest.raises(Exception, match=message):
        submit(client, files, prior_name, iterations, restarts).result(timeout=60)
    assert time.perf_counter() - started < 30


def test_inpaint_endpoint_refuses_nan_sent_as_raw_json(client: Client, files: dict[str, str], prior_name: str) -> None:
    # gradio_client cannot send NaN (it is not JSON), but a hand-made request can: Python's JSON reader accepts it.
    with httpx.Client(base_url=client.src, timeout=60) as http:
        uploaded = http.post(
            "gradio_api/upload", files=[("files", open(files[name], "rb")) for name in ("image", "mask")]
        ).json()
        image, mask = ({"path": path, "meta": {"_type": "gradio.FileData"}} for path in uploaded)
        body = json.dumps({"data": [image, mask, prior_name, 100, "RESTARTS"]}).replace('"RESTARTS"', "NaN")
        event = http.post("gradio_api/call/inpaint", content=body, headers={"content-type": "application/json"}).json()[
            "event_id"
        ]
        stream = http.get(f"gradio_api/call/inpaint/{event}").text
    assert "event: error" in stream and f"{RESTARTS['label']} must be a finite number" in stream


def test_cancelling_an_inpaint_request_stops_its_search(
    client: Client, files: dict[str, str], prior_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps, lock = [0], threading.Lock()
    real_total_loss = inpaint.search.total_loss

    def slow_total_loss(*args, **kwargs):
        with lock:
            steps[0] += 1
        time.sleep(0.01)
        return real_total_loss(*args, **kwargs)

    monkeypatch.setattr(inpaint.search, "total_loss", slow_total_loss)
    job = submit(client, files, prior_name, 1000, 1, mask="large")  # wide enough for the GAN fill by default
    deadline = time.monotonic() + 60
    while steps[0] < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert steps[0] >= 20, "the search did not start"
    job.cancel()
    time.sleep(1.5)
    after_cancel = steps[0]
    time.sleep(1.5)
    assert steps[0] == after_cancel < 1000


def test_a_hole_too_large_for_the_priors_frame_is_filled_classically_without_any_search(
    client: Client, files: dict[str, str], prior_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    searched = []
    monkeypatch.setattr(
        inpaint.search, "total_loss", lambda *args, **kwargs: searched.append(1) or pytest.fail("searched")
    )
    filled = client.predict(
        handle_file(files["big"]), handle_file(files["huge"]), prior_name, 20, 1, api_name="/inpaint"
    )
    image, hole = np.asarray(Image.open(files["big"])), np.asarray(Image.open(files["huge"])) > 0
    result = np.asarray(Image.open(filled))[..., :3]
    assert np.array_equal(result[~hole], image[~hole]) and not np.array_equal(result[hole], image[hole])
    assert not searched


def test_a_photo_over_the_pixel_cap_is_refused_before_any_search(prior_name: str) -> None:
    from gan.imageio import MAX_PIXELS
    from inpaint.inference import Inpainter

    inpainter = Inpainter.from_pretrained(prior_name)
    side = int(MAX_PIXELS**0.5) + 1
    photo = np.zeros((side, side, 3), np.uint8)
    hole = np.zeros((side, side), bool)
    hole[:8, :8] = True
    with pytest.raises(ValueError, match="megapixels; the limit is 16"):
        inpainter.inpaint(photo, hole)
