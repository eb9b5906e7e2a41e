"""Headless Chromium answers three images of the Naturalness tab with the keys y and n (the last one pressed twice),
sees no results while voting, and the results table after finishing its round."""

from __future__ import annotations

import sqlite3
import time

from naturalness_helpers import METHODS
from test_naturalness_app import serve_naturalness


def test_browser_answers_three_images_with_keys_and_sees_the_results_only_after_its_round(
    browser_page, expect, serve_app, tmp_path_factory, artifacts_dir
):
    served = serve_naturalness(serve_app, tmp_path_factory.mktemp("naturalness-browser"))
    secrets = [*METHODS, *served.pool.catalog()]
    page = browser_page
    page.goto(served.url)
    page.get_by_role("tab", name="Naturalness test").click()
    page.get_by_role("button", name="Start the test").click()
    progress = page.locator("#naturalness-progress")
    table = page.locator("#naturalness-results")
    expect(progress).to_contain_text("image 1 of at most 12", timeout=20_000)
    for number, key in enumerate("yny", start=2):
        image = page.locator("#naturalness-image img")
        expect(image).to_be_visible(timeout=20_000)
        shown = (image.get_attribute("src") or "") + progress.inner_text()
        assert not any(secret in shown for secret in secrets)
        expect(table).to_be_hidden()
        time.sleep(0.5)
        page.keyboard.press(key)
        if number == 4:
            page.keyboard.press(key)  # a double press must not answer the next image too
        expect(progress).to_contain_text(f"image {number} of at most 12", timeout=20_000)
    time.sleep(1.0)
    expect(progress).to_contain_text("image 4 of at most 12")
    expect(table).to_be_hidden()
    page.get_by_role("button", name="Finish and see the results").click()
    expect(table).to_contain_text("real", timeout=20_000)
    expect(page.locator("#naturalness-image img")).to_be_hidden()
    rows = [row.inner_text().split("\n") for row in table.get_by_role("row").all()[1:]]
    page.screenshot(path=str(artifacts_dir / "naturalness-tab.png"), full_page=True)

    with sqlite3.connect(served.db) as connection:
        stored = connection.execute("SELECT method, natural FROM votes").fetchall()
        finished = connection.execute("SELECT count(*) FROM finished").fetchone()[0]
    assert sorted(natural for _, natural in stored) == [0, 1, 1] and finished == 1
    counted = {cells[0].strip(): int(cells[2]) for cells in rows}
    assert set(counted) == set(METHODS) and sum(counted.values()) == 0  # three answers are too few to count
    expect(page.locator("#naturalness-summary")).to_contain_text(
        "0 participants from 0 addresses counted, 1 excluded (1 too few answers)"
    )
