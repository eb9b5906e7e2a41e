"""Screenshots of the Inpaint tab on real photos, as a user makes them: upload, paint, run, look.

    python -m evaluation.screenshots --out docs/figures

Headless Chromium (Debian's, driven by Playwright) opens the app served on 127.0.0.1, uploads each
photo, paints the hole with the mouse (or applies a mask preset), runs the search with the tab's own
defaults and saves the part of the page from the editor to the two fills as `inpaint-<name>.jpg`, and the
region the fills changed, enlarged, as `inpaint-<name>-detail.jpg`; the status
line (model, crop, seconds) is printed.
The browser test drives the tab through the same steps (`upload`, `paint_stroke`, `run_search`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from gan.cli import command_parser, parse_configs
from gan.sheets import contact_sheet, labelled
from gan.shipped import REPO_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

Expect = Callable[[Any], Any]
"""Playwright's `expect` (imported only where a browser runs)."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1200, "height": 1400}
EXAMPLES = REPO_ROOT / "examples" / "inpaint"
JPEG_QUALITY = 90


@dataclass(frozen=True)
class Shot:
    """One screenshot: a photo, the prior picked, and the hole (a stroke in fractions of the photo, or a preset)."""

    name: str
    photo: Path
    prior: str
    stroke: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1 in [0, 1] of the photo's width and height
    preset: str = ""
    band: int = 1  # parallel strokes side by side, BAND_STEP photo pixels apart: a wide brushed band


BAND_STEP = 4
"""Photo pixels between the parallel strokes of a band (less than the brush, so they join)."""


SHOTS = (
    Shot("face", EXAMPLES / "utkface-test-0120.png", "inpaint-faces", preset="center"),
    Shot("scratched-portrait", EXAMPLES / "grace-hopper.jpg", "inpaint-faces", stroke=(0.41, 0.38, 0.625, 0.47)),
    Shot("portrait", EXAMPLES / "grace-hopper.jpg", "inpaint-faces", stroke=(0.40, 0.40, 0.60, 0.40), band=8),
    Shot("scene", EXAMPLES / "rocket.png", "inpaint-photos", stroke=(0.698, 0.27, 0.698, 0.50), band=8),
)


def upload(page: Page, expect: Expect, photo: Path) -> None:
    """Open the Inpaint tab and put `photo` on the editor's canvas (waits until it is drawn)."""
    page.get_by_role("tab", name="Inpaint").click()
    page.locator("#inpaint-editor input[type=file]").set_input_files(str(photo))
    expect(page.locator("#inpaint-editor canvas").first).to_be_visible(timeout=20_000)
    # the editor shows its placeholder until the photo is decoded onto the canvas (slow on a loaded machine)
    expect(page.locator("#inpaint-editor")).not_to_contain_text("Upload an image", timeout=60_000)
    page.wait_for_timeout(1_000)


def paint_stroke(page: Page, photo_size: tuple[int, int], start: tuple[float, float], end: tuple[float, float]) -> None:
    """Drag the brush from `start` to `end`, fractions of the photo's (width, height) `photo_size`.

    The editor draws the photo centred on its canvas at the zoom its toolbar shows ("48%"), so a point
    of the photo is found from that zoom, not from the canvas's own size.
    """
    box = page.locator("#inpaint-editor canvas").first.bounding_box()
    zoom = float(re.search(r"(\d+(?:\.\d+)?)%", page.locator("#inpaint-editor").inner_text()).group(1)) / 100
    width, height = photo_size[0] * zoom, photo_size[1] * zoom
    left, top = box["x"] + (box["width"] - width) / 2, box["y"] + (box["height"] - height) / 2
    page.mouse.move(left + start[0] * width, top + start[1] * height)
    page.mouse.down()
    page.mouse.move(left + end[0] * width, top + end[1] * height, steps=16)
    page.mouse.up()


def pick_prior(page: Page, prior: str) -> None:
    """Type the prior's name into the tab's prior box."""
    box = page.get_by_label("Prior (or a Hub repo id)")
    box.fill(prior)
    box.press("Enter")


def run_search(page: Page, expect: Expect, iterations: int | None = None) -> None:
    """Press Run (after setting the iterations in the Search settings accordion, when given) and wait for the
    finished status and fill."""
    if iterations is not None:
        field = page.locator("#inpaint-iterations input[type=number]")
        if not field.is_visible():
            page.get_by_role("button", name="Search settings").click()
        field.fill(str(iterations))
        field.press("Enter")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#inpaint-status")).to_contain_text("Done in", timeout=300_000)
    expect(page.locator("#inpaint-result img")).to_be_visible(timeout=20_000)


def take(page: Page, expect: Expect, url: str, shot: Shot, out: Path) -> Path:
    """Make `shot` in a fresh load of the app and save it under `out`; returns the file."""
    page.goto(url)
    upload(page, expect, shot.photo)
    if shot.preset:
        page.get_by_label("Mask preset", exact=False).click()
        page.get_by_role("option", name=shot.preset, exact=True).click()
        page.get_by_role("button", name="Apply preset").click()
        page.wait_for_timeout(2_000)
    if shot.stroke:
        size = Image.open(shot.photo).size
        x0, y0, x1, y1 = shot.stroke
        normal = np.array([y0 - y1, x1 - x0]) * size[::-1]  # perpendicular to the stroke, in photo pixels
        normal = normal / np.linalg.norm(normal) * BAND_STEP / np.array(size)
        for k in np.arange(shot.band) - (shot.band - 1) / 2:
            dx, dy = k * normal
            paint_stroke(page, size, (x0 + dx, y0 + dy), (x1 + dx, y1 + dy))
    pick_prior(page, shot.prior)
    run_search(page, expect)
    scroll = page.evaluate("window.scrollY")
    top = page.locator("#inpaint-editor").bounding_box()
    bottom = page.locator("#inpaint-classical").bounding_box()
    page_image = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    area = (
        int(top["x"]) - 8,
        int(top["y"] + scroll) - 8,
        int(bottom["x"] + bottom["width"]) + 8,
        int(bottom["y"] + bottom["height"] + scroll) + 8,
    )
    path = out / f"inpaint-{shot.name}.jpg"
    page_image.crop(area).convert("RGB").save(path, quality=JPEG_QUALITY)
    print(page.locator("#inpaint-status").inner_text())
    fills = [shown_image(page, f"#inpaint-{element} img") for element in ("result", "classical")]
    detail(np.asarray(Image.open(shot.photo).convert("RGB")), *fills).save(
        out / f"inpaint-{shot.name}-detail.jpg", quality=JPEG_QUALITY
    )
    return path


def shown_image(page: Page, selector: str) -> np.ndarray:
    """The image an <img> of the page shows, fetched from the app as RGB."""
    source = page.locator(selector).first.get_attribute("src")
    return np.asarray(Image.open(io.BytesIO(page.request.get(source).body())).convert("RGB"))


def detail(
    photo: np.ndarray, gan_fill: np.ndarray, classical_fill: np.ndarray, margin: int = 24, side: int = 320
) -> Image.Image:
    """Where the fills changed the photo, enlarged side by side: the photo with that region painted white, both fills,
    the original."""
    if gan_fill.shape != photo.shape:  # a small photo is shown enlarged (nearest neighbour): back to its size
        gan_fill, classical_fill = (
            np.asarray(Image.fromarray(a).resize(photo.shape[1::-1], Image.Resampling.NEAREST))
            for a in (gan_fill, classical_fill)
        )
    hole = (gan_fill != photo).any(axis=2) | (classical_fill != photo).any(axis=2)
    damaged = photo.copy()
    damaged[hole] = 255
    changed = np.argwhere(hole)
    (y0, x0), (y1, x1) = changed.min(axis=0), changed.max(axis=0) + 1
    y0, x0 = max(0, y0 - margin), max(0, x0 - margin)
    y1, x1 = min(photo.shape[0], y1 + margin), min(photo.shape[1], x1 + margin)
    tiles = [
        labelled(Image.fromarray(a[y0:y1, x0:x1]), label, side, Image.Resampling.NEAREST)
        for a, label in (
            (damaged, "the hole"),
            (gan_fill, "GAN fill"),
            (classical_fill, "classical fill"),
            (photo, "original"),
        )
    ]
    return contact_sheet([tiles])


@dataclass
class ScreenshotConfig:
    """Where the screenshots go and which to make."""

    out: str = "docs/figures"
    shots: list[str] = field(
        default_factory=lambda: [shot.name for shot in SHOTS], metadata={"choices": [shot.name for shot in SHOTS]}
    )


HELP = {"out": "folder for the JPEG files", "shots": "which screenshots to make"}


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the app, make every screenshot and print where they went."""
    parser = command_parser("python -m evaluation.screenshots", __doc__, (ScreenshotConfig, HELP), print_config=False)
    args, _ = parse_configs(parser, argv, ScreenshotConfig)
    if not Path(CHROMIUM).exists():
        parser.error(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import expect, sync_playwright

    from app import build_app, launch
    from ui.context import AppContext
    from ui.serve import free_port

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    demo, head = build_app(AppContext(device="cpu"), ("ui.inpaint",))
    port = free_port()
    launch(demo, head, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=VIEWPORT)
            for shot in SHOTS:
                if shot.name in args.shots:
                    print(take(page, expect, f"http://127.0.0.1:{port}/", shot, out))
            browser.close()
    finally:
        demo.close()


if __name__ == "__main__":
    main()
