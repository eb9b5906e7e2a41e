"""Headless Chromium: upload a photo to the Inpaint tab, paint a hole with mouse strokes, run the search, get the fill."""
from __future__ import annotations

from pathlib import Path

PHOTO = Path(__file__).resolve().parent.parent / "examples" / "inpaint" / "chelsea.png"


def test_browser_paints_a_mask_with_the_mouse_and_sees_the_search_converge_to_a_result(browser_page, expect, serve_app, artifacts_dir):
    page = browser_page
    page.goto(serve_app(tabs=("ui.inpaint",)))
    page.get_by_role("tab", name="Inpaint").click()
    page.locator("#inpaint-editor input[type=file]").set_input_files(str(PHOTO))
    canvas = page.locator("#inpaint-editor canvas").first
    expect(canvas).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1_000)
    box = canvas.bounding_box()
    center_x, center_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for offset in (-0.03, 0.0, 0.03):  # three short horizontal strokes in the middle of the photo
        page.mouse.move(center_x - 0.05 * box["width"], center_y + offset * box["height"])
        page.mouse.down()
        page.mouse.move(center_x + 0.05 * box["width"], center_y + offset * box["height"], steps=8)
        page.mouse.up()
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#inpaint-status")).to_contain_text("Done.", timeout=120_000)
    expect(page.locator("#inpaint-result img")).to_be_visible(timeout=20_000)
    page.screenshot(path=str(artifacts_dir / "inpaint-tab.png"), full_page=True)
