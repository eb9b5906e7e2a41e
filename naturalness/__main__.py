"""Command line of the naturalness test: build the image pool, print the results, export the votes.

    python -m naturalness build-pool [--out DIR] [--models NAME ...] [--cifar-per-class N] [--skimage NAME ...]
    python -m naturalness results [--db PATH_OR_URL] [--pool DIR] [--csv FILE]
    python -m naturalness export [--db PATH_OR_URL] --out FILE
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from colorgan.settings import COLORIZER, DEFAULT_SIZE
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
from naturalness.results import format_table, tally, write_results_csv, write_votes_csv
from naturalness.store import VoteStore, default_votes_db


def build_pool_command(args: argparse.Namespace) -> None:
    """Colorize the held-out photos with every model and write the pool."""
    import torch

    from colorgan.inference import Colorizer

    torch.set_num_threads(args.threads)
    photos = registry_photos("tiny-imagenet", args.tiny_imagenet, args.seed) if args.tiny_imagenet else []
    photos += whole_photos("bsds500", args.bsds500, args.seed, args.large_side) if args.bsds500 else []
    photos += whole_photos(f"folder:{args.folder}", 10**6, args.seed, args.large_side) if args.folder else []
    photos += skimage_photos(args.skimage, args.large_side)
    colorizers, provenance = {}, {}
    for name in args.models or COLORIZER.shipped_models():
        colorizer = Colorizer.from_pretrained(name)
        method = Path(name).name if Path(name).is_dir() else name
        colorizers[method] = lambda image, colorizer=colorizer: colorizer(image, args.size or min(max(image.size), DEFAULT_SIZE)).image
        provenance[method] = str(colorizer.source)
        print(f"{method}: weights from {colorizer.source}")
    pool = build_pool(photos, colorizers, args.out, provenance)
    print(f"Wrote {len(pool.entries)} images ({len(photos)} photos x {len(pool.methods)} methods: {', '.join(pool.methods)}) to {args.out}")


def _results(args: argparse.Namespace):
    store = VoteStore(args.db, {})
    methods = load_pool(args.pool).methods if (args.pool / "manifest.json").is_file() else ()
    return store, tally(store.counts(), methods)


def results_command(args: argparse.Namespace) -> None:
    """Print the per-method table, and write it as CSV when asked."""
    store, results = _results(args)
    print(format_table(results))
    print(f"\n{len(store)} votes in {args.db}")
    if args.csv:
        with open(args.csv, "w", newline="") as handle:
            write_results_csv(results, handle)
        print(f"Wrote {args.csv}")


def export_command(args: argparse.Namespace) -> None:
    """Write every vote as a CSV row."""
    store = VoteStore(args.db, {})
    with open(args.out, "w", newline="") as handle:
        write_votes_csv(store.all_votes(), handle)
    print(f"Wrote {len(store)} votes to {args.out}")


def _add_db_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=default_votes_db(), help="SQLite file or database URL (default: $GAN_STUDIO_VOTES_DB or votes.sqlite3)")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of `python -m naturalness`."""
    parser = argparse.ArgumentParser(prog="python -m naturalness", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build-pool", help="colorize held-out photos with every model and write the pool")
    build.add_argument("--out", type=Path, default=build_pool_dir(), help="pool folder to write (default: $GAN_STUDIO_POOL or data/naturalness-pool; the app reads it before the bundled examples/naturalness-pool)")
    build.add_argument("--models", nargs="*", default=None, help="shipped model names, Hub repo ids or weights folders (default: every shipped colorization model)")
    build.add_argument("--tiny-imagenet", type=int, default=20, help="held-out Tiny ImageNet photos (official validation set, 64 px, enlarged for display)")
    build.add_argument("--bsds500", type=int, default=20, help="whole BSDS500 photos (resized to --large-side)")
    build.add_argument("--folder", type=Path, default=None, help="also every photo of this image folder (resized to --large-side)")
    build.add_argument("--skimage", nargs="*", default=["coffee", "chelsea", "astronaut", "rocket"], help="scikit-image color photos to add (none: pass the flag alone)")
    build.add_argument("--large-side", type=int, default=DISPLAY_SIDE, help="longer side in pixels the whole photos are resized to before colorizing")
    build.add_argument("--size", type=int, default=None, help="longer side at which the models predict color (default: the photo's own, at most the colorizer's default)")
    build.add_argument("--seed", type=int, default=0, help="seed of the choice of photos")
    build.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    build.set_defaults(run=build_pool_command)

    results = commands.add_parser("results", help="print the per-method table (and write it as CSV)")
    _add_db_flag(results)
    results.add_argument("--pool", type=Path, default=default_pool_dir(), help="pool folder, for the method order (default: the one the app uses: $GAN_STUDIO_POOL, data/naturalness-pool, else examples/naturalness-pool)")
    results.add_argument("--csv", default=None, help="also write the table to this CSV file")
    results.set_defaults(run=results_command)

    export = commands.add_parser("export", help="write every vote as one CSV row")
    _add_db_flag(export)
    export.add_argument("--out", required=True, help="CSV file to write")
    export.set_defaults(run=export_command)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run one command."""
    args = parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main(sys.argv[1:])
