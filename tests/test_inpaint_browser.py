"""Headless Chromium: upload a real photo to the Inpaint tab, paint a hole with the mouse, run the search, download the
fill."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from evaluation.screenshots import paint_stroke, run_search, upload

PHOTO = Path(__file__).resolve().parent.parent / "examples" / "inpaint" / "chelsea.png"


def test_browser_paints_a_hole_on_a_photo_and_gets_it_filled_at_full_size_with_the_rest_unchanged(
    browser_page, expect, serve_app, artifacts_dir
):
    page = browser_page
    page.goto(serve_app(tabs=("ui.inpaint",)))
    upload(page, expect, PHOTO)
    paint_stroke(
        page, Image.open(PHOTO).size, (0.45, 0.5), (0.55, 0.5)
    )  # one short horizontal stroke in the middle of the photo
    run_search(page, expect, iterations=40)
    page.screenshot(path=str(artifacts_dir / "inpaint-tab.png"), full_page=True)
    link = page.locator("#inpaint-download a").first
    expect(link).to_be_visible(timeout=20_000)
    result = np.asarray(Image.open(io.BytesIO(page.request.get(link.get_attribute("href")).body())).convert("RGB"))
    photo = np.asarray(Image.open(PHOTO).convert("RGB"))
    assert result.shape == photo.shape
    changed = np.argwhere((result != photo).any(axis=2))
    assert len(changed) > 0
    height, width = photo.shape[:2]
    # only pixels near the stroke changed: all within the middle of the photo
    assert changed[:, 0].min() > height * 0.2 and changed[:, 0].max() < height * 0.8
    assert changed[:, 1].min() > width * 0.2 and changed[:, 1].max() < width * 0.8
