"""Headless Chromium on the Anomaly tab: histograms on load, a verdict for an uploaded image, live training that Stop ends keeping the partial model, and that closing the page ends."""
from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from anomaly.live import running_workers
from anomaly.settings import LIVE_MODEL


def _wait_until_no_live_training(seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while len(running_workers()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return len(running_workers()) == 0


def _live_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("historyad-live-*"))


def _start_live_training(page, expect) -> None:
    train = page.locator("#anomaly-train")
    if not train.is_visible():
        page.get_by_text("Live training (a small CPU configuration").click()
    steps = page.locator("#anomaly-steps input[type=number]")
    steps.fill("400")  # minutes of training: only a stop ends it within the test
    steps.press("Enter")
    train.click()
    deadline = time.monotonic() + 60
    while not len(running_workers()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(running_workers()) == 1
    expect(page.locator("#anomaly-live-status")).to_contain_text(re.compile("Training the WGAN: step"), timeout=60_000)


def test_browser_scores_an_upload_at_the_threshold_and_live_training_ends_on_stop_and_on_close(serve_app, browser_page, expect, tmp_path, artifacts_dir):
    image = tmp_path / "blank.png"
    Image.fromarray(np.zeros((28, 28), dtype=np.uint8)).save(image)
    folders_before = _live_folders()
    page = browser_page
    page.goto(serve_app(tabs=("ui.anomaly",)))
    expect(page.locator("#anomaly-summary")).to_contain_text("AUPRC", timeout=60_000)
    expect(page.locator("#anomaly-threshold")).to_contain_text("precision")
    page.locator("#anomaly-files input[type=file]").set_input_files(str(image))
    page.get_by_role("button", name="Score my images").click()
    verdicts = page.locator("#anomaly-verdicts")
    expect(verdicts).to_contain_text("blank.png", timeout=30_000)
    threshold = float(re.search(r"threshold (-?[\d.]+)", page.locator("#anomaly-threshold").inner_text()).group(1))
    cells = [cell.inner_text().strip() for cell in verdicts.locator("tbody td").all()]
    assert cells[0] == "blank.png"
    assert cells[2].startswith("anomalous" if float(cells[1]) > threshold else "normal")
    page.screenshot(path=str(artifacts_dir / "anomaly-tab.png"), full_page=True)

    _start_live_training(page, expect)
    page.locator("#anomaly-stop").click()
    expect(page.locator("#anomaly-live-status")).to_contain_text("Stopped", timeout=30_000)
    expect(page.locator("#anomaly-live-status")).to_contain_text("partial model is now selected")
    expect(page.locator("#anomaly-summary")).to_contain_text(LIVE_MODEL, timeout=30_000)
    assert _wait_until_no_live_training()

    _start_live_training(page, expect)
    page.close()
    assert _wait_until_no_live_training(90)
    deadline = time.monotonic() + 60
    while _live_folders() - folders_before and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _live_folders() - folders_before  # the session's folder went with the session
