"""A figure of real faces the prior never saw: the photo with its hole, each solver's fill, the classical fill,
the truth.

    python -m evaluation.inpaint_showcase --prior inpaint-faces --out docs/figures/inpaint-showcase.jpg
    python -m evaluation.inpaint_showcase --prior runs/export/inpaint-faces --data utkface --images 12,207 \
        --masks center,scratch

Photos are test images of a registry dataset (UTKFace by default: no prior is trained on its test split),
picked by index; each is shown with every mask preset named, one row per (photo, mask). Every fill goes
through `Inpainter.inpaint` as the app's does (crop, search, Poisson blend); tiles are enlarged to --side
pixels with sharp pixels (nearest neighbour) so that a 64-pixel face can be seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from gan.cli import ConfigError, command_parser, config_json, parse_configs
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


def showcase(
    photos: dict[str, np.ndarray], masks: Sequence[str], inpainter: Inpainter, config: SearchConfig, side: int
) -> Image.Image:
    """One row per photo and mask: the photo with its hole, each solver's fill, the classical fill and the original."""
    rows = []
    for name, photo in photos.items():
        for index, mask in enumerate(masks):
            hole = preset_mask(mask, *photo.shape[:2], seed=index)
            tiles = [labelled(Image.fromarray(with_hole(photo, hole)), f"{name}, {mask} hole", side, NEAREST)]
            result = None
            for loss, label in SOLVERS.items():
                result = inpainter.inpaint(photo, hole, replace(config, loss=loss), fill="gan")
                tiles.append(labelled(Image.fromarray(result.image), label, side, NEAREST))
            tiles.append(
                labelled(Image.fromarray(result.classical), f"classical ({result.classical_method})", side, NEAREST)
            )
            tiles.append(labelled(Image.fromarray(photo), "original", side, NEAREST))
            rows.append(tiles)
    return contact_sheet(rows)


@dataclass
class ShowcaseConfig:
    """Which prior, which test faces and holes, how hard to search, where to write the figure."""

    prior: str = "inpaint-faces"
    data: str = "utkface"
    images: str = "3,120,333"
    masks: str = "center,scratch"
    iterations: int = 300
    restarts: int = 8
    side: int = 192
    device: str = "auto"
    out: str = ""

    def __post_init__(self) -> None:
        if not self.out:
            raise ConfigError("--out is required: the image file to write (.jpg or .png).")
        unknown = [mask for mask in self.mask_names if mask not in PRESETS]
        if unknown:
            raise ConfigError(f"--masks: {unknown[0]!r} is not a preset; choose from {', '.join(PRESETS)}.")
        try:
            self.indices
        except ValueError:
            raise ConfigError(f"--images must be comma-separated whole numbers, got {self.images!r}.") from None

    @property
    def indices(self) -> list[int]:
        """The test images' indices."""
        return [int(index) for index in self.images.split(",")]

    @property
    def mask_names(self) -> list[str]:
        """The mask presets, one row each per image."""
        return [mask for mask in self.masks.split(",") if mask]


HELP = {
    "prior": "shipped prior name, Hub repo id or weights folder",
    "data": "registry dataset whose test images are shown",
    "images": "indices of the test images, comma-separated, one group of rows each",
    "masks": f"mask presets, comma-separated, one row each per image ({', '.join(PRESETS)})",
    "iterations": "Adam steps of each search",
    "restarts": "random starts per search",
    "side": "side, in pixels, of each tile in the figure",
    "device": "auto, cpu, cuda, cuda:1, mps",
    "out": "image file to write (.jpg or .png)",
}


def main(argv: Sequence[str] | None = None) -> None:
    """Write the showcase figure."""
    parser = command_parser("python -m evaluation.inpaint_showcase", __doc__, (ShowcaseConfig, HELP))
    (config, args) = parse_configs(parser, argv, ShowcaseConfig)
    if args.print_config:
        print(config_json(config))
        return
    try:
        search = SearchConfig(iterations=config.iterations, restarts=config.restarts)
        test = load_dataset(config.data, "test")
        inpainter = Inpainter.from_pretrained(config.prior, device=config.device, allow_local=True)
    except (ValueError, DataError) as error:
        parser.error(str(error))
    outside = [index for index in config.indices if not 0 <= index < len(test)]
    if outside:
        parser.error(
            f"--images: {config.data}'s test split has {len(test)} images, so {outside[0]} is not one of them."
        )
    photos = {
        f"{config.data} test {i}": np.ascontiguousarray(test.images[i].permute(1, 2, 0).numpy()) for i in config.indices
    }
    out = Path(config.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    showcase(photos, config.mask_names, inpainter, search, config.side).save(out, quality=90)
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
