"""The Anomaly tab over HTTP: `anomaly_score` through gradio_client, its bounds and errors, and the tab's other events
not callable as API."""

from __future__ import annotations

import json
import re

import httpx
import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from anomaly import Detector
from anomaly.settings import MAX_IMAGES
from ui.anomaly import recipe_settings

MODEL = "anomaly-fashion-mnist-0"


@pytest.fixture(scope="module")
def url(serve_app):
    return serve_app(tabs=("ui.anomaly",))


@pytest.fixture(scope="module")
def client(url):
    return Client(url, verbose=False)


@pytest.fixture
def digit(tmp_path):
    path = tmp_path / "x.png"
    Image.fromarray(np.zeros((28, 28), dtype=np.uint8)).save(path)
    return path


def test_anomaly_score_endpoint_returns_the_detectors_scores_of_converted_images(client, tmp_path) -> None:
    rng = np.random.default_rng(0)
    paths = []
    for i, shape in enumerate([(28, 28), (50, 70, 3)]):
        path = tmp_path / f"image{i}.png"
        Image.fromarray(rng.integers(0, 256, size=shape, dtype=np.uint8)).save(path)
        paths.append(path)
    result = client.predict(MODEL, [handle_file(str(p)) for p in paths], api_name="/anomaly_score")
    assert [entry["image"] for entry in result] == ["image0.png", "image1.png"]
    expected = Detector.from_pretrained(MODEL)([str(p) for p in paths])
    np.testing.assert_allclose([entry["score"] for entry in result], [s.score for s in expected.scores], atol=1e-3)
    assert result[0]["note"] == "zero-padded to 32×32, as the training data was."
    assert "resized from 70×50 to 28×28" in result[1]["note"]
    assert "color image" in result[1]["out_of_domain"] and result[0]["out_of_domain"] == ""


def test_anomaly_score_endpoint_rejects_a_non_image_with_a_sentence(client, tmp_path) -> None:
    fake = tmp_path / "notes.png"
    fake.write_text("not an image at all")
    with pytest.raises(Exception, match="not an image that can be read"):
        client.predict(MODEL, [handle_file(str(fake))], api_name="/anomaly_score")


def test_anomaly_score_endpoint_names_a_missing_model_and_refuses_server_folders(client, digit, tmp_path) -> None:
    with pytest.raises(Exception, match="No model named"):
        client.predict("anomaly-does-not-exist", [handle_file(str(digit))], api_name="/anomaly_score")
    with pytest.raises(Exception, match="cannot be named here") as refused:
        client.predict(str(tmp_path), [handle_file(str(digit))], api_name="/anomaly_score")
    assert str(tmp_path) not in str(refused.value)


def test_anomaly_score_endpoint_takes_between_one_and_max_images_files(client, digit) -> None:
    with pytest.raises(Exception, match="No image to score yet"):
        client.predict(MODEL, [], api_name="/anomaly_score")
    with pytest.raises(Exception, match=f"at most {MAX_IMAGES} are scored per request"):
        client.predict(MODEL, [handle_file(str(digit))] * (MAX_IMAGES + 1), api_name="/anomaly_score")


def test_only_anomaly_score_is_an_api_endpoint_and_the_client_cannot_call_the_others(client) -> None:
    api = client.view_api(return_format="dict", print_info=False)
    assert set(api["named_endpoints"]) == {"/anomaly_score"} and not api["unnamed_endpoints"]
    for name in ("/train", "/view", "/stop_live", "/talk", "/train_live", "/load_reference"):
        with pytest.raises(Exception):
            client.predict("trouser", 400, 3000, api_name=name)


def _event_id(url: str, name: str) -> int:
    return next(d["id"] for d in httpx.get(url + "config").json()["dependencies"] if d.get("api_name") == name)


def _raw_call(url: str, fn_index: int, data: list) -> list[dict]:
    session = "rawcaller"
    httpx.post(
        url + "gradio_api/queue/join", json={"data": data, "fn_index": fn_index, "session_hash": session}, timeout=30
    ).raise_for_status()
    messages = []
    with httpx.stream("GET", url + "gradio_api/queue/data", params={"session_hash": session}, timeout=60) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                messages.append(json.loads(line[5:]))
                if messages[-1].get("msg") == "process_completed":
                    break
    return messages


@pytest.mark.parametrize("steps, images", [(10**9, 3000), (60, 10**9), ("NaN", 3000), ("many", 3000)])
def test_the_live_training_event_called_over_raw_http_keeps_the_sliders_bounds(url, steps, images) -> None:
    done = _raw_call(url, _event_id(url, "train"), ["trouser", "quick", steps, images, None])[-1]
    assert done["success"] is False
    assert re.search(r"must be a number from \d+ to \d+|(maximum|minimum) value \d+", done["output"]["error"])


def test_the_class_picker_says_whether_the_class_is_the_normal_data_or_the_anomaly() -> None:
    steps, images, picker = recipe_settings("quick")
    assert (steps, images) == (100, 6000) and "normal data" in picker["label"]
    assert "held out (the anomaly)" in recipe_settings("held-out")[2]["label"]
    with pytest.raises(Exception, match="Pick one of the recipes"):
        recipe_settings("fastest")
