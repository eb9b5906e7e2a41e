"""The README's first picture: the whole app as a visitor first sees it, a photo just colorized in its first tab.

    python -m evaluation.app_screenshot --out docs/figures/app.jpg --naturalness-out docs/figures/naturalness-tab.jpg

Headless Chromium (Debian's, driven by Playwright, as in `evaluation.screenshots`) opens the full app served on
127.0.0.1 with every tab, uploads a gray example photo to the Colorize tab, presses Colorize with the tab's
defaults, and saves the top of the page once the colorized photo is shown. Then it opens the Naturalness test tab,
starts the test as a participant (in a throwaway vote database) and saves the first image as a participant sees it.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from evaluation.screenshots import CHROMIUM, CHROMIUM_ARGS, JPEG_QUALITY
from gan.cli import command_parser, parse_configs
from gan.shipped import REPO_ROOT


@dataclass
class AppScreenshotConfig:
    """Which photo, and where the picture goes."""

    photo: Path = REPO_ROOT / "examples" / "colorize" / "astronaut.jpg"
    out: Path = Path("docs/figures/app.jpg")
    naturalness_out: Path = Path("docs/figures/naturalness-tab.jpg")
    width: int = 1280
    height: int = 900


HELP = {
    "photo": "gray photo uploaded to the Colorize tab",
    "out": "JPEG file to write",
    "naturalness_out": "JPEG file of the Naturalness test tab's first image",
    "width": "browser window width (px)",
    "height": "height of the saved top of the page (px)",
}


def top_of_page(page: Any, area: dict[str, int]) -> Image.Image:
    """The top `area` of the page, scrolled to the top and settled."""
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(1_500)
    return Image.open(io.BytesIO(page.screenshot(clip=area)))


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the whole app, colorize the photo in the browser and save the top of the page."""
    parser = command_parser(
        "python -m evaluation.app_screenshot", __doc__, (AppScreenshotConfig, HELP), print_config=False
    )
    config, _ = parse_configs(parser, argv, AppScreenshotConfig)
    if not Path(CHROMIUM).exists():
        parser.error(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import expect, sync_playwright

    from app import build_app, launch
    from ui import TABS
    from ui.context import AppContext
    from ui.serve import free_port

    votes = tempfile.TemporaryDirectory()
    demo, head = build_app(AppContext(device="cpu", votes_db=str(Path(votes.name) / "votes.sqlite3")), TABS)
    port = free_port()
    launch(demo, head, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": config.width, "height": config.height})
            page.goto(f"http://127.0.0.1:{port}/")
            page.locator("#colorize-photo input[type=file]").set_input_files(str(config.photo))
            expect(page.locator("#colorize-photo img")).to_be_visible(timeout=60_000)
            page.get_by_role("button", name="Colorize", exact=True).click()
            expect(page.locator("#colorize-result img")).to_be_visible(timeout=120_000)
            area = {"x": 0, "y": 0, "width": config.width, "height": config.height}
            shots = {config.out: top_of_page(page, area)}
            page.get_by_role("tab", name="Naturalness test").click()
            page.get_by_role("button", name="Start the test").click()
            expect(page.locator("#naturalness-image img")).to_be_visible(timeout=60_000)
            shots[config.naturalness_out] = top_of_page(page, area)
            browser.close()
    finally:
        demo.close()
        votes.cleanup()
    for path, shot in shots.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        shot.convert("RGB").save(path, quality=JPEG_QUALITY)
        print(path)


if __name__ == "__main__":
    main()
