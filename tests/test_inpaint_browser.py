"""Headless Chromium: upload a real photo to the Inpaint tab, paint a hole with the mouse, run the search, download the fill."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

PHOTO = Path(__file__).resolve().parent.parent / "examples" / "inpaint" / "chelsea.png"


def test_browser_paints_a_hole_on_a_photo_and_gets_it_filled_at_full_size_with_the_rest_unchanged(browser_page, expect, serve_app, artifacts_dir):
    page = browser_page
    page.goto(serve_app(tabs=("ui.inpaint",)))
    page.get_by_role("tab", name="Inpaint").click()
    page.locator("#inpaint-editor input[type=file]").set_input_files(str(PHOTO))
    canvas = page.locator("#inpaint-editor canvas").first
    expect(canvas).to_be_visible(timeout=20_000)
    # the editor shows its placeholder until the photo is decoded onto the canvas (slow on a loaded machine)
    expect(page.locator("#inpaint-editor")).not_to_contain_text("Upload an image", timeout=60_000)
    page.wait_for_timeout(1_000)
    box = canvas.bounding_box()
    center_x, center_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(center_x - 0.03 * box["width"], center_y)  # one short horizontal stroke in the middle of the photo
    page.mouse.down()
    page.mouse.move(center_x + 0.03 * box["width"], center_y, steps=8)
    page.mouse.up()
    iterations = page.locator("#inpaint-iterations input[type=number]")
    iterations.fill("40")
    iterations.press("Enter")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#inpaint-status")).to_contain_text("Done in", timeout=120_000)
    expect(page.locator("#inpaint-result img")).to_be_visible(timeout=20_000)
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
