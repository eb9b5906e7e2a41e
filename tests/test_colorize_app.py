"""The shipped colorizer through its two front doors: the command line and the app's API endpoint."""

import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from colorgan.__main__ import main as colorize_cli
from colorgan.inference import Colorizer

SHIPPED_MODELS = Colorizer.shipped_models()


@pytest.fixture(scope="module")
def old_photo(tmp_path_factory):
    path = tmp_path_factory.mktemp("photos") / "family.png"
    Image.fromarray(np.tile(np.linspace(0, 255, 90, dtype=np.uint8), (60, 1))).save(path)
    return path


def test_every_shipped_model_is_bundled_and_loads():
    assert SHIPPED_MODELS
    for name in SHIPPED_MODELS:
        assert str(Colorizer.from_pretrained(name).source) == f"bundled weights/{name}"


def test_cli_writes_a_full_size_color_png_and_reports_unreadable_files(tmp_path, old_photo, capsys):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    status = colorize_cli([str(old_photo), str(broken), "--out", str(tmp_path / "out"), "--device", "cpu"])
    assert status == 1
    assert Image.open(tmp_path / "out" / "family-color.png").size == (90, 60)
    assert "skipped" in capsys.readouterr().err


def test_colorize_endpoint_returns_the_photo_in_color_at_its_size(serve_app, old_photo):
    client = Client(serve_app(tabs=("ui.colorize",)), verbose=False)
    colorized, download, status = client.predict(
        handle_file(str(old_photo)), SHIPPED_MODELS[0], 64, api_name="/colorize"
    )
    assert Image.open(colorized).size == (90, 60) and download.endswith(".png") and "90×60" in status
    assert f"model {SHIPPED_MODELS[0]}" in status and "color predicted at 64×48 px" in status


def test_colorize_endpoint_takes_a_color_strength_and_refuses_one_out_of_range(serve_app, old_photo):
    client = Client(serve_app(tabs=("ui.colorize",)), verbose=False)
    colorized, _, status = client.predict(handle_file(str(old_photo)), SHIPPED_MODELS[0], 64, 0, api_name="/colorize")
    rgb = np.asarray(Image.open(colorized).convert("RGB"), dtype=int)
    assert "color strength 0" in status and np.abs(rgb - rgb.mean(axis=2, keepdims=True)).max() <= 2
    with pytest.raises(Exception, match="Color strength"):
        client.predict(handle_file(str(old_photo)), SHIPPED_MODELS[0], 64, 5, api_name="/colorize")


def test_colorize_endpoint_answers_a_non_image_with_a_sentence(serve_app, tmp_path):
    client = Client(serve_app(tabs=("ui.colorize",)), verbose=False)
    text = tmp_path / "letter.png"
    text.write_text("Dear Sir")
    with pytest.raises(Exception, match="not an image"):
        client.predict(handle_file(str(text)), SHIPPED_MODELS[0], 64, api_name="/colorize")
