"""Command line of the naturalness test: build the image pool, print the results, export the votes.

    python -m naturalness build-pool [--out DIR] [--models NAME,NAME] [--tiny-imagenet N] [--skimage NAME,NAME]
    python -m naturalness results [--db PATH_OR_URL] [--pool DIR] [--csv FILE]
    python -m naturalness export [--db PATH_OR_URL] --out FILE

`results` prints the table the app shows: screened participants, each address weighing at most one
participant (docs/naturalness.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from colorgan.settings import COLORIZER, DEFAULT_SIZE
from gan.cli import ConfigError, add_config_arguments, config_from_args
from naturalness.pool import (
    DISPLAY_SIDE,
    build_pool,
    build_pool_dir,
    default_pool_dir,
    load_pool,
    registry_photos,
    skimage_photos,
    whole_photos,
)
from naturalness.results import format_table, write_results_csv, write_votes_csv
from naturalness.store import VoteStore, default_votes_db
from naturalness.study import NaturalnessStudy


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


@dataclass
class BuildPoolConfig:
    """What `build-pool` colorizes and where it writes."""

    out: Path = field(default_factory=build_pool_dir)
    models: str = ""
    tiny_imagenet: int = 20
    bsds500: int = 20
    folder: Path | None = None
    skimage: str = "coffee,chelsea,astronaut,rocket"
    large_side: int = DISPLAY_SIDE
    size: int | None = None
    seed: int = 0
    threads: int = 1

    def __post_init__(self) -> None:
        for name in ("tiny_imagenet", "bsds500"):
            if getattr(self, name) < 0:
                raise ConfigError(f"--{name.replace('_', '-')} must be 0 or more, got {getattr(self, name)}.")
        if self.large_side < 8 or self.threads < 1 or (self.size is not None and self.size < 8):
            raise ConfigError("--large-side and --size must be at least 8 pixels, --threads at least 1.")


BUILD_HELP = {
    "out": "pool folder to write ($GAN_STUDIO_POOL or data/naturalness-pool: the app reads it before the bundled one)",
    "models": "comma-separated shipped model names, Hub repo ids or weights folders (empty: every shipped colorizer)",
    "tiny_imagenet": "held-out Tiny ImageNet photos (official validation set, 64 px, enlarged for display)",
    "bsds500": "whole BSDS500 photos (resized to --large-side)",
    "folder": "also every photo of this image folder (resized to --large-side)",
    "skimage": "comma-separated scikit-image color photos to add (empty: none)",
    "large_side": "longer side in pixels the whole photos are resized to before colorizing",
    "size": "longer side at which the models predict color (unset: the photo's own, at most the colorizer's default)",
    "seed": "seed of the choice of photos",
    "threads": "torch CPU threads",
}


@dataclass
class ResultsConfig:
    """Where `results` reads the votes and the pool, and where it writes the table."""

    db: str = field(default_factory=default_votes_db)
    pool: Path = field(default_factory=default_pool_dir)
    csv: str = ""


RESULTS_HELP = {
    "db": "SQLite file or database URL ($GAN_STUDIO_VOTES_DB or votes.sqlite3)",
    "pool": "pool the votes were cast on (the app's: $GAN_STUDIO_POOL, data/naturalness-pool, else the bundled one)",
    "csv": "also write the table to this CSV file",
}


@dataclass
class ExportConfig:
    """Where `export` reads the votes and writes them."""

    db: str = field(default_factory=default_votes_db)
    out: str = ""

    def __post_init__(self) -> None:
        if not self.out:
            raise ConfigError("--out is required: the CSV file to write.")


EXPORT_HELP = {"db": RESULTS_HELP["db"], "out": "CSV file to write"}


def build_pool_command(args: BuildPoolConfig) -> None:
    """Colorize the held-out photos with every model and write the pool."""
    import torch

    from colorgan.inference import Colorizer

    torch.set_num_threads(args.threads)
    photos = registry_photos("tiny-imagenet", args.tiny_imagenet, args.seed) if args.tiny_imagenet else []
    photos += whole_photos("bsds500", args.bsds500, args.seed, args.large_side) if args.bsds500 else []
    photos += whole_photos(f"folder:{args.folder}", 10**6, args.seed, args.large_side) if args.folder else []
    photos += skimage_photos(_names(args.skimage), args.large_side)
    colorizers, provenance = {}, {}
    for name in _names(args.models) or COLORIZER.shipped_models():
        colorizer = Colorizer.from_pretrained(name)
        method = Path(name).name if Path(name).is_dir() else name
        colorizers[method] = lambda image, colorizer=colorizer: (
            colorizer(image, args.size or min(max(image.size), DEFAULT_SIZE)).image
        )
        provenance[method] = str(colorizer.source)
        print(f"{method}: weights from {colorizer.source}")
    pool = build_pool(photos, colorizers, args.out, provenance)
    methods = f"{len(pool.methods)} methods: {', '.join(pool.methods)}"
    print(f"Wrote {len(pool.entries)} images ({len(photos)} photos x {methods}) to {args.out}")


def results_command(args: ResultsConfig) -> None:
    """Print the per-method table the app shows, and write it as CSV when asked."""
    study = NaturalnessStudy(load_pool(args.pool), args.db)
    results = study.results()
    print(format_table(results.methods))
    print(f"\n{results.summary()}\n{len(study.store)} votes in {args.db}")
    if args.csv:
        with open(args.csv, "w", newline="") as handle:
            write_results_csv(results.methods, handle)
        print(f"Wrote {args.csv}")


def export_command(args: ExportConfig) -> None:
    """Write every vote as a CSV row."""
    store = VoteStore(args.db, {})
    with open(args.out, "w", newline="") as handle:
        write_votes_csv(store.all_votes(), handle)
    print(f"Wrote {len(store)} votes to {args.out}")


COMMANDS = {
    "build-pool": (BuildPoolConfig, BUILD_HELP, build_pool_command, "colorize held-out photos with every model"),
    "results": (ResultsConfig, RESULTS_HELP, results_command, "print the table the app shows (and write it as CSV)"),
    "export": (ExportConfig, EXPORT_HELP, export_command, "write every vote as one CSV row"),
}


def parse_args(argv: Sequence[str] | None = None) -> tuple[str, object]:
    """The command line of `python -m naturalness`: the command and its config; a bad value exits with one sentence."""
    parser = argparse.ArgumentParser(
        prog="python -m naturalness", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (config_cls, help_texts, _, summary) in COMMANDS.items():
        add_config_arguments(commands.add_parser(name, help=summary), config_cls, help_texts)
    args = parser.parse_args(argv)
    try:
        return args.command, config_from_args(COMMANDS[args.command][0], args)
    except ValueError as error:
        parser.error(str(error))


def main(argv: Sequence[str] | None = None) -> None:
    """Run one command."""
    command, config = parse_args(argv)
    COMMANDS[command][2](config)


if __name__ == "__main__":
    main(sys.argv[1:])
