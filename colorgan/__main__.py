"""Colorize black-and-white photos from the command line.

    python -m colorgan old1.jpg old2.tif --out colorized/ [--model colorgan-chromagan] [--size 128] [--strength 1.3]

Each photo is written as <out>/<name>-color.png at its full resolution. Unreadable files are
reported and skipped; the exit status is 1 when any file failed.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from colorgan.inference import Colorizer
from colorgan.settings import (
    DEFAULT_SIZE,
    DEFAULT_STRENGTH,
    MAX_SIZE,
    MAX_STRENGTH,
    MIN_SIZE,
    MIN_STRENGTH,
    check_strength,
)
from gan.hub import WeightsError
from gan.imageio import InvalidImageError, load_image


def main(argv: Sequence[str] | None = None) -> int:
    """Colorize every photo given; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m colorgan", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("photos", nargs="+", type=Path, help="image files to colorize (any size; color photos are treated as gray)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the colorized PNG files (created if missing)")
    parser.add_argument("--model", default=None, help=f"shipped model ({', '.join(Colorizer.shipped_models())}; the first is the default), Hub repo id or weights folder")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help=f"longer side, in pixels, at which the model predicts color ({MIN_SIZE} to {MAX_SIZE})")
    parser.add_argument("--strength", type=float, default=DEFAULT_STRENGTH, help=f"scale of the predicted color ({MIN_STRENGTH:g} to {MAX_STRENGTH:g}): 1 is the model's own, above 1 more saturated, 0 gray")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    args = parser.parse_args(argv)
    if not MIN_SIZE <= args.size <= MAX_SIZE:
        parser.error(f"--size must be between {MIN_SIZE} and {MAX_SIZE}, got {args.size}.")
    try:
        check_strength(args.strength)
    except ValueError as error:
        parser.error(f"--strength: {error}")
    try:
        colorizer = Colorizer.from_pretrained(args.model, device=args.device)
    except (WeightsError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Model {colorizer.name} from {colorizer.source}")
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for photo in args.photos:
        try:
            result = colorizer(load_image(photo), args.size, args.strength).image
        except InvalidImageError as error:
            print(f"skipped {photo}: {error}", file=sys.stderr)
            failed += 1
            continue
        target = args.out / f"{photo.stem}-color.png"
        result.save(target)
        print(f"{photo} -> {target}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
