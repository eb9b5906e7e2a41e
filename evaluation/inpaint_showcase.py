"""A figure of real faces the prior never saw: the photo with its hole, each solver's fill, the classical fill, the truth.

    python -m evaluation.inpaint_showcase --prior inpaint-faces --out docs/figures/inpaint-showcase.jpg
    python -m evaluation.inpaint_showcase --prior runs/export/inpaint-faces --data utkface --images 12 207 --masks center scratch

Photos are test images of a registry dataset (UTKFace by default: no prior is trained on its test split),
picked by index; each is shown with every mask preset named, one row per (photo, mask). Every fill goes
through `Inpainter.inpaint` as the app's does (crop, search, Poisson blend); tiles are enlarged to --side
pixels with sharp pixels (nearest neighbour) so that a 64-pixel face can be seen.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from gan.data import DataError, load_dataset
from gan.sheets import contact_sheet, labelled
from inpaint.inference import Inpainter
from inpaint.masks import PRESETS, preset_mask
from inpaint.search import SearchConfig

SOLVERS = {"contextual": "GAN fill (proposed loss)", "brgm": "GAN fill (L-BRGM)"}
NEAREST = Image.Resampling.NEAREST


def with_hole(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The photo with its hole painted white, as the user sees it in the editor."""
    shown = photo.copy()
    shown[hole] = 255
    return shown


def showcase(photos: dict[str, np.ndarray], masks: Sequence[str], inpainter: Inpainter, config: SearchConfig, side: int) -> Image.Image:
    """One row per photo and mask: the photo with its hole, each solver's fill, the classical fill and the original."""
    rows = []
    for name, photo in photos.items():
        for index, mask in enumerate(masks):
            hole = preset_mask(mask, *photo.shape[:2], seed=index)
            tiles = [labelled(Image.fromarray(with_hole(photo, hole)), f"{name}, {mask} hole", side, NEAREST)]
            result = None
            for loss, label in SOLVERS.items():
                result = inpainter.inpaint(photo, hole, replace(config, loss=loss))
                tiles.append(labelled(Image.fromarray(result.image), label, side, NEAREST))
            tiles.append(labelled(Image.fromarray(result.classical), f"classical ({result.classical_method})", side, NEAREST))
            tiles.append(labelled(Image.fromarray(photo), "original", side, NEAREST))
            rows.append(tiles)
    return contact_sheet(rows)


def main(argv: Sequence[str] | None = None) -> None:
    """Write the showcase figure."""
    parser = argparse.ArgumentParser(prog="python -m evaluation.inpaint_showcase", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prior", default="inpaint-faces", help="shipped prior name, Hub repo id or weights folder")
    parser.add_argument("--data", default="utkface", help="registry dataset whose test images are shown")
    parser.add_argument("--images", nargs="+", type=int, default=[3, 120, 333], help="indices of the test images, one group of rows each")
    parser.add_argument("--masks", nargs="+", choices=PRESETS, default=["center", "scratch"], help="mask presets, one row each per image")
    parser.add_argument("--iterations", type=int, default=300, help="Adam steps of each search")
    parser.add_argument("--restarts", type=int, default=8, help="random starts per search; the best is kept")
    parser.add_argument("--side", type=int, default=192, help="side, in pixels, of each tile in the figure")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    parser.add_argument("--out", type=Path, required=True, help="image file to write (.jpg or .png)")
    args = parser.parse_args(argv)
    try:
        config = SearchConfig(iterations=args.iterations, restarts=args.restarts)
        test = load_dataset(args.data, "test")
        inpainter = Inpainter.from_pretrained(args.prior, device=args.device, allow_local=True)
    except (ValueError, DataError) as error:
        parser.error(str(error))
    outside = [index for index in args.images if not 0 <= index < len(test)]
    if outside:
        parser.error(f"--images: {args.data}'s test split has {len(test)} images, so {outside[0]} is not one of them.")
    photos = {f"{args.data} test {index}": np.ascontiguousarray(test.images[index].permute(1, 2, 0).numpy()) for index in args.images}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    showcase(photos, args.masks, inpainter, config, args.side).save(args.out, quality=90)
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
