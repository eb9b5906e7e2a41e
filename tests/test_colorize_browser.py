"""Headless Chromium uploads an old photo to the Colorize tab, presses Colorize and gets it back in color."""

from __future__ import annotations

from pathlib import Path

PHOTO = Path(__file__).resolve().parent.parent / "examples" / "colorize" / "chelsea.jpg"


def test_browser_uploads_a_photo_and_sees_it_colorized_at_full_size(browser_page, expect, serve_app, artifacts_dir):
    page = browser_page
    page.goto(serve_app(tabs=("ui.colorize",)))
    page.get_by_role("tab", name="Colorize").click()
    page.locator("#colorize-photo input[type=file]").set_input_files(str(PHOTO))
    expect(page.locator("#colorize-photo img")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Colorize", exact=True).click()
    expect(page.locator("#colorize-result img")).to_be_visible(timeout=60_000)
    expect(page.locator("#colorize-status")).to_contain_text("451×300 px", timeout=20_000)
    page.screenshot(path=str(artifacts_dir / "colorize-tab.png"), full_page=True)
