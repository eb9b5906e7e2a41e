"""Headless Chromium on the Anomaly tab: histograms on load, a verdict for an uploaded image, live training that Stop and closing the page end."""
from __future__ import annotations

import re
import threading
import time

import numpy as np
import pytest
from PIL import Image


def _live_training_threads() -> int:
    return sum(t.name == "historyad-live" and t.is_alive() for t in threading.enumerate())


def _wait_until_no_live_training(seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while _live_training_threads() and time.monotonic() < deadline:
        time.sleep(0.2)
    return _live_training_threads() == 0


def _start_live_training(page, sync_api) -> None:
    train = page.locator("#anomaly-train")
    if not train.is_visible():
        page.get_by_text("Live training (a small CPU configuration").click()
    steps = page.locator("#anomaly-steps input[type=number]")
    steps.fill("400")  # minutes of training: only a stop ends it within the test
    steps.press("Enter")
    train.click()
    deadline = time.monotonic() + 60
    while not _live_training_threads() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _live_training_threads() == 1
    sync_api.expect(page.locator("#anomaly-live-status")).to_contain_text(re.compile("held out|step"), timeout=30_000)


def test_browser_scores_an_upload_at_the_threshold_and_live_training_ends_on_stop_and_on_close(serve_app, browser_page, tmp_path, artifacts_dir):
    sync_api = pytest.importorskip("playwright.sync_api")
    image = tmp_path / "blank.png"
    Image.fromarray(np.zeros((28, 28), dtype=np.uint8)).save(image)
    page = browser_page
    page.goto(serve_app(tabs=("ui.anomaly",)))
    sync_api.expect(page.locator("#anomaly-summary")).to_contain_text("AUPRC", timeout=60_000)
    sync_api.expect(page.locator("#anomaly-threshold")).to_contain_text("precision")
    page.locator("#anomaly-files input[type=file]").set_input_files(str(image))
    page.get_by_role("button", name="Score my images").click()
    verdicts = page.locator("#anomaly-verdicts")
    sync_api.expect(verdicts).to_contain_text("blank.png", timeout=30_000)
    threshold = float(re.search(r"threshold (-?[\d.]+)", page.locator("#anomaly-threshold").inner_text()).group(1))
    cells = [cell.inner_text().strip() for cell in verdicts.locator("tbody td").all()]
    assert cells[0] == "blank.png"
    assert cells[2] == ("anomalous" if float(cells[1]) > threshold else "normal")
    page.screenshot(path=str(artifacts_dir / "anomaly-tab.png"), full_page=True)

    _start_live_training(page, sync_api)
    page.locator("#anomaly-stop").click()
    sync_api.expect(page.locator("#anomaly-live-status")).to_contain_text("Stopped", timeout=10_000)
    assert _wait_until_no_live_training()

    _start_live_training(page, sync_api)
    page.close()
    assert _wait_until_no_live_training()
