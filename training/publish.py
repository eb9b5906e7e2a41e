"""Publish bundled weights folders (weights + model card) to the Hugging Face Hub.

    python -m training.publish weights/colorgan-chromagan --repo me/colorgan-chromagan
    python -m training.publish --all                # every model in weights/hub.json to its repo
    python -m training.publish --all --dry-run      # show what would be uploaded

Needs a token (HF_TOKEN, or `hf auth login`) unless --dry-run. Only complete folders
(config.json + model.safetensors + README.md) are uploaded, and a folder named in weights/hub.json must
first load with its configured model class (`from_pretrained`, strict), dry run or not.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gan.hub import WEIGHTS_ROOT, WeightsError, hub_config, model_class, publish


def main(argv: Sequence[str] | None = None) -> int:
    """Publish and print what was (or would be) uploaded; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m training.publish", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, help="one weights folder to publish (with --repo)")
    parser.add_argument("--repo", help="Hub repo id (org/name) for FOLDER")
    parser.add_argument("--all", action="store_true", help="publish every model listed in weights/hub.json to its configured repo")
    parser.add_argument("--dry-run", action="store_true", help="list the files that would be uploaded, upload nothing")
    parser.add_argument("--private", action="store_true", help="create new repos as private")
    parser.add_argument("--token", default=None, help="Hub token (default: HF_TOKEN or the stored login)")
    args = parser.parse_args(argv)
    if args.all == bool(args.folder):
        parser.error("give either FOLDER --repo ORG/NAME or --all")
    if args.folder and not args.repo:
        parser.error("FOLDER needs --repo ORG/NAME")
    jobs = [(WEIGHTS_ROOT / name, entry["repo"]) for name, entry in hub_config().items()] if args.all else [(args.folder, args.repo)]
    status = 0
    for folder, repo in jobs:
        try:
            files = publish(folder, repo, model_cls=model_class(folder.name), token=args.token, private=args.private, dry_run=args.dry_run)
        except WeightsError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
            continue
        verb = "would upload" if args.dry_run else "uploaded"
        print(f"{folder} -> {repo}: {verb} {', '.join(files)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
