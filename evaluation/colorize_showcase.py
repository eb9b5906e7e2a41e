"""A figure of real photos the colorizers never saw: gray input, each model's colorization, and the truth.

    python -m evaluation.colorize_showcase --out docs/figures/colorize-showcase.jpg
    python -m evaluation.colorize_showcase --models colorgan-regression runs/export/chroma --photos 302003 176035

Photos are BSDS500's (our held-out real-photo test set: no model is trained on it), named by file stem;
the defaults are one portrait, group, street scene, landscape, interior and object. Each photo is
colorized at full resolution by `Colorizer` at the shipped prediction size and shown at --side pixels.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from colorgan.inference import Colorizer
from colorgan.lab import gray_rgb, image_to_rgb, rgb_to_image
from colorgan.settings import COLORIZER, DEFAULT_SIZE
from gan.data import DataError, photo_files
from gan.imageio import load_image
from gan.sheets import contact_sheet, labelled

PHOTOS = {"302003": "portrait", "376001": "group", "90076": "street", "176035": "landscape", "145014": "interior", "169012": "object"}


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


def main(argv: Sequence[str] | None = None) -> None:
    """Write the showcase figure."""
    parser = argparse.ArgumentParser(prog="python -m evaluation.colorize_showcase", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=None, help=f"colorizers, one column each: shipped names, Hub repo ids or weights folders (default: {COLORIZER.default_model()})")
    parser.add_argument("--photos", nargs="+", default=list(PHOTOS), help="BSDS500 photo ids (file stems), one row each (default: one of each kind)")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="longer side, in pixels, at which color is predicted")
    parser.add_argument("--side", type=int, default=240, help="longer side, in pixels, of each photo in the figure")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    parser.add_argument("--out", type=Path, required=True, help="image file to write (.jpg or .png)")
    args = parser.parse_args(argv)
    try:
        files = {path.stem: path for path in photo_files("bsds500")}
    except DataError as error:
        parser.error(str(error))
    unknown = [photo for photo in args.photos if photo not in files]
    if unknown:
        parser.error(f"BSDS500 has no photo {unknown[0]!r}; ids are file stems such as {next(iter(PHOTOS))}.")
    photos = {f"{PHOTOS.get(photo, photo)} ({photo})": load_image(files[photo]) for photo in args.photos}
    colorizers = {}
    for name in args.models or [COLORIZER.default_model()]:
        colorizer = Colorizer.from_pretrained(name, device=args.device)
        colorizers[Path(name).name if Path(name).is_dir() else name] = colorizer
    args.out.parent.mkdir(parents=True, exist_ok=True)
    showcase(photos, colorizers, args.size, args.side).save(args.out, quality=88)
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
