"""Colorize black-and-white photos from the command line.

    python -m colorgan old1.jpg old2.tif --out colorized/ [--model colorgan-chromagan] [--size 128] [--strength 1.3]
    python -m colorgan old.jpg --out colorized/ --temperature 0.25     # more vivid (distribution models)

Each photo is written as <out>/<name>-color.png at its full resolution. Unreadable files are
reported and skipped; the exit status is 1 when any file failed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from colorgan.inference import Colorizer
from colorgan.settings import (
    DEFAULT_SIZE,
    DEFAULT_STRENGTH,
    MAX_SIZE,
    MAX_STRENGTH,
    MAX_TEMPERATURE,
    MIN_SIZE,
    MIN_STRENGTH,
    MIN_TEMPERATURE,
    check_strength,
    check_temperature,
)
from gan.cli import ConfigError, command_parser, parse_configs
from gan.hub import WeightsError
from gan.imageio import InvalidImageError, load_image


@dataclass
class ColorizeConfig:
    """Where the colorized photos go and how color is asked for."""

    out: str = ""
    model: str = ""
    size: int = DEFAULT_SIZE
    strength: float = DEFAULT_STRENGTH
    temperature: float = 0.0
    device: str = "auto"

    def __post_init__(self) -> None:
        if not self.out:
            raise ConfigError("--out is required: the folder for the colorized PNG files.")
        if not MIN_SIZE <= self.size <= MAX_SIZE:
            raise ConfigError(f"--size must be between {MIN_SIZE} and {MAX_SIZE}, got {self.size}.")
        try:
            check_strength(self.strength)
            check_temperature(self.temperature or None)
        except ValueError as error:
            raise ConfigError(str(error)) from error


HELP = {
    "out": "folder for the colorized PNG files (created if missing)",
    "model": "shipped model (the first of `Colorizer.shipped_models()` is the default), Hub repo id or weights folder",
    "size": f"longer side, in pixels, at which the model predicts color ({MIN_SIZE} to {MAX_SIZE})",
    "strength": f"scale of the predicted color ({MIN_STRENGTH:g} to {MAX_STRENGTH:g}): "
    "1 is the model's own, above 1 more saturated, 0 gray",
    "temperature": f"vividness of distribution models ({MIN_TEMPERATURE:g} to {MAX_TEMPERATURE:g}): "
    "lower is more vivid, 1 the average colour; "
    "0 keeps the model's own; models that predict one colour ignore it",
    "device": "auto, cpu, cuda, cuda:1, mps",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Colorize every photo given; return the exit status."""
    parser = command_parser("python -m colorgan", __doc__, (ColorizeConfig, HELP), print_config=False)
    parser.add_argument(
        "photos", nargs="+", type=Path, help="image files to colorize (any size; color photos are treated as gray)"
    )
    config, args = parse_configs(parser, argv, ColorizeConfig)
    try:
        colorizer = Colorizer.from_pretrained(config.model or None, device=config.device)
    except (WeightsError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Model {colorizer.name} from {colorizer.source}")
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for photo in args.photos:
        try:
            result = colorizer(load_image(photo), config.size, config.strength, config.temperature or None).image
        except InvalidImageError as error:
            print(f"skipped {photo}: {error}", file=sys.stderr)
            failed += 1
            continue
        target = out / f"{photo.stem}-color.png"
        result.save(target)
        print(f"{photo} -> {target}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
