"""A figure of real photos the colorizers never saw: gray input, each model's colorization, and the truth.

    python -m evaluation.colorize_showcase --out docs/figures/colorize-showcase.jpg
    python -m evaluation.colorize_showcase --models colorgan-regression runs/export/chroma --photos 302003 176035

Photos are BSDS500's (our held-out real-photo test set: no model is trained on it), named by file stem;
the defaults are one portrait, group, street scene, landscape, interior and object. Each photo is
colorized at full resolution by `Colorizer` at the shipped prediction size and shown at --side pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from colorgan.inference import Colorizer
from colorgan.lab import gray_rgb, image_to_rgb, rgb_to_image
from colorgan.settings import COLORIZER, DEFAULT_SIZE
from gan.cli import ConfigError, command_parser, parse_configs, require_at_least_one
from gan.data import DataError, photo_files
from gan.imageio import load_image
from gan.sheets import contact_sheet, labelled

PHOTOS = {
    "302003": "portrait",
    "376001": "group",
    "90076": "street",
    "176035": "landscape",
    "145014": "interior",
    "169012": "object",
}


def gray_version(photo: Image.Image) -> Image.Image:
    """The photo with its color removed: its own CIE L with a = b = 0, what a black-and-white print keeps."""
    return rgb_to_image(gray_rgb(image_to_rgb(photo)))


def showcase(photos: dict[str, Image.Image], colorizers: dict[str, Colorizer], size: int, side: int) -> Image.Image:
    """One row per photo: gray input, each colorizer's output, the original; columns padded to a common width."""
    rows = []
    for name, photo in photos.items():
        gray = gray_version(photo)
        tiles = [labelled(gray, f"{name}: gray input", side)]
        tiles += [labelled(colorizer(gray, size).image, label, side) for label, colorizer in colorizers.items()]
        tiles.append(labelled(photo, "original", side))
        rows.append(tiles)
    return contact_sheet(rows)


@dataclass
class ShowcaseConfig:
    """Which photos, which colorizers, and the figure's size."""

    out: str = ""
    models: list[str] = field(default_factory=list)
    photos: list[str] = field(default_factory=lambda: list(PHOTOS))
    size: int = DEFAULT_SIZE
    side: int = 240
    device: str = "auto"

    def __post_init__(self) -> None:
        if not self.out:
            raise ConfigError("--out is required: the image file to write (.jpg or .png).")
        require_at_least_one(self, "size", "side")


HELP = {
    "out": "image file to write (.jpg or .png)",
    "models": "colorizers, one column each: shipped names, Hub repo ids or weights folders "
    f"(default: {COLORIZER.default_model()})",
    "photos": "BSDS500 photo ids (file stems), one row each (default: one of each kind)",
    "size": "longer side, in pixels, at which color is predicted",
    "side": "longer side, in pixels, of each photo in the figure",
    "device": "auto, cpu, cuda, cuda:1, mps",
}


def main(argv: Sequence[str] | None = None) -> None:
    """Write the showcase figure."""
    parser = command_parser(
        "python -m evaluation.colorize_showcase", __doc__, (ShowcaseConfig, HELP), print_config=False
    )
    config, _ = parse_configs(parser, argv, ShowcaseConfig)
    try:
        files = {path.stem: path for path in photo_files("bsds500")}
    except DataError as error:
        parser.error(str(error))
    unknown = [photo for photo in config.photos if photo not in files]
    if unknown:
        parser.error(f"BSDS500 has no photo {unknown[0]!r}; ids are file stems such as {next(iter(PHOTOS))}.")
    photos = {f"{PHOTOS.get(photo, photo)} ({photo})": load_image(files[photo]) for photo in config.photos}
    colorizers = {}
    for name in config.models or [COLORIZER.default_model()]:
        colorizer = Colorizer.from_pretrained(name, device=config.device)
        colorizers[Path(name).name if Path(name).is_dir() else name] = colorizer
    out = Path(config.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    showcase(photos, colorizers, config.size, config.side).save(out, quality=88)
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
