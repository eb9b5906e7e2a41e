"""Colorize black-and-white photos from the command line.

    python -m colorgan old1.jpg old2.tif --out colorized/ [--model colorgan-chromagan] [--size 64]

Each photo is written as <out>/<name>-color.png at its full resolution. Unreadable files are
reported and skipped; the exit status is 1 when any file failed.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from colorgan.inference import DEFAULT_SIZE, colorize, load_colorizer
from colorgan.models import DEFAULT_MODEL, SHIPPED_MODELS
from gan.device import pick_device
from gan.hub import WeightsError
from gan.imageio import InvalidImageError, load_image


def main(argv: Sequence[str] | None = None) -> int:
    """Colorize every photo given; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m colorgan", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("photos", nargs="+", type=Path, help="image files to colorize (any size; color photos are treated as gray)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the colorized PNG files (created if missing)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"shipped model ({', '.join(SHIPPED_MODELS)}), Hub repo id or weights folder")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="longer side, in pixels, at which the model predicts color")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    args = parser.parse_args(argv)
    try:
        model, source = load_colorizer(args.model, pick_device(args.device))
    except WeightsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Model {args.model} from {source}")
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for photo in args.photos:
        try:
            result = colorize(load_image(photo), model, args.size)
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
