"""The README's first picture: the whole app as a visitor first sees it, a photo just colorized in its first tab.

    python -m evaluation.app_screenshot --out docs/figures/app.jpg

Headless Chromium (Debian's, driven by Playwright, as in `evaluation.screenshots`) opens the full app served on
127.0.0.1 with every tab, uploads a gray example photo to the Colorize tab, presses Colorize with the tab's
defaults, and saves the top of the page once the colorized photo is shown.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from evaluation.screenshots import CHROMIUM, CHROMIUM_ARGS, JPEG_QUALITY
from gan.cli import command_parser, parse_configs
from gan.shipped import REPO_ROOT


@dataclass
class AppScreenshotConfig:
    """Which photo, and where the picture goes."""

    photo: Path = REPO_ROOT / "examples" / "colorize" / "astronaut.jpg"
    out: Path = Path("docs/figures/app.jpg")
    width: int = 1280
    height: int = 900


HELP = {
    "photo": "gray photo uploaded to the Colorize tab",
    "out": "JPEG file to write",
    "width": "browser window width (px)",
    "height": "height of the saved top of the page (px)",
}


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

    demo, head = build_app(AppContext(device="cpu"), TABS)
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
            page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_timeout(1_500)
            area = {"x": 0, "y": 0, "width": config.width, "height": config.height}
            shot = Image.open(io.BytesIO(page.screenshot(clip=area)))
            browser.close()
    finally:
        demo.close()
    config.out.parent.mkdir(parents=True, exist_ok=True)
    shot.convert("RGB").save(config.out, quality=JPEG_QUALITY)
    print(config.out)


if __name__ == "__main__":
    main()
