"""Headless Chromium answers three images of the Naturalness tab with the keys y and n (the last one pressed twice)."""
from __future__ import annotations

import sqlite3
import time

from naturalness_helpers import METHODS
from test_naturalness_app import serve_naturalness



def test_browser_answers_three_images_with_keys_and_the_table_counts_them(browser_page, expect, serve_app, tmp_path_factory, artifacts_dir):
    served = serve_naturalness(serve_app, tmp_path_factory.mktemp("naturalness-browser"))
    page = browser_page
    page.goto(served.url)
    page.get_by_role("tab", name="Naturalness").click()
    page.get_by_role("button", name="Start the test").click()
    progress = page.locator("#naturalness-progress")
    expect(progress).to_contain_text("image 1 of at most 12", timeout=20_000)
    for number, key in enumerate("yny", start=2):
        image = page.locator("#naturalness-image img")
        expect(image).to_be_visible(timeout=20_000)
        assert not any(method in (image.get_attribute("src") or "") + page.locator("#naturalness-progress").inner_text() for method in METHODS)
        time.sleep(0.5)
        page.keyboard.press(key)
        if number == 4:
            page.keyboard.press(key)  # a double press must not answer the next image too
        expect(progress).to_contain_text(f"image {number} of at most 12", timeout=20_000)
    time.sleep(1.0)
    expect(progress).to_contain_text("image 4 of at most 12")
    table = page.locator("#naturalness-results")
    expect(table).to_contain_text("real", timeout=20_000)
    rows = [row.inner_text().split("\n") for row in table.get_by_role("row").all()[1:]]
    page.screenshot(path=str(artifacts_dir / "naturalness-tab.png"), full_page=True)

    with sqlite3.connect(served.db) as connection:
        stored = connection.execute("SELECT method, natural FROM votes").fetchall()
    assert sorted(natural for _, natural in stored) == [0, 1, 1]
    shown = {cells[0].strip(): int(cells[2]) for cells in rows}
    assert sum(shown.values()) == 3
    assert shown == {method: sum(m == method for m, _ in stored) for method in shown}
