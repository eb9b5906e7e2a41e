"""The Anomaly tab's `anomaly_score` endpoint through gradio_client: images in, scores out, clear errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from gradio_client import Client, handle_file
from PIL import Image

from anomaly.inference import prepare_images
from anomaly.model import HistoryADModel
from gan.hub import ModelCard, save_model


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory):
    torch.manual_seed(3)
    model = HistoryADModel(channels=1, image_size=32, content_size=28, base_channels=4, latent_dim=8, anomalous_class=8, class_names=["a"] * 10, normal_classes=list(range(8)) + [9])
    folder = tmp_path_factory.mktemp("weights") / "anomaly-test"
    return save_model(model, folder, ModelCard("t", "s", "d", "cpu")), model.eval()


@pytest.fixture(scope="module")
def client(serve_app):
    return Client(serve_app(tabs=("ui.anomaly",)), verbose=False)


def test_anomaly_score_endpoint_returns_minus_dtv_of_converted_images(client, model_folder, tmp_path) -> None:
    folder, model = model_folder
    rng = np.random.default_rng(0)
    paths = []
    for i, shape in enumerate([(28, 28), (50, 70, 3)]):
        path = tmp_path / f"image{i}.png"
        Image.fromarray(rng.integers(0, 256, size=shape, dtype=np.uint8)).save(path)
        paths.append(path)
    result = client.predict(str(folder), [handle_file(str(p)) for p in paths], api_name="/anomaly_score")
    assert [entry["image"] for entry in result] == ["image0.png", "image1.png"]
    expected = model.score(prepare_images([Image.open(p).convert("RGB") for p in paths], model)[0])
    np.testing.assert_allclose([entry["score"] for entry in result], expected.numpy(), atol=1e-4)
    assert result[0]["note"] == "converted to grayscale; zero-padded to 32×32, as the training data was."
    assert "resized from 70×50 to 28×28" in result[1]["note"]


def test_anomaly_score_endpoint_rejects_a_non_image_with_a_sentence(client, model_folder, tmp_path) -> None:
    folder, _ = model_folder
    fake = tmp_path / "notes.png"
    fake.write_text("not an image at all")
    with pytest.raises(Exception, match="not an image that can be read"):
        client.predict(str(folder), [handle_file(str(fake))], api_name="/anomaly_score")


def test_anomaly_score_endpoint_names_a_missing_model(client, tmp_path) -> None:
    image = tmp_path / "x.png"
    Image.fromarray(np.zeros((28, 28), dtype=np.uint8)).save(image)
    with pytest.raises(Exception, match="No model named"):
        client.predict("anomaly-does-not-exist", [handle_file(str(image))], api_name="/anomaly_score")
