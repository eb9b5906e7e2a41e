"""Publish bundled weights folders (weights + model card) to the Hugging Face Hub.

    python -m training.publish weights/colorgan-chromagan --repo me/colorgan-chromagan
    python -m training.publish --all                # every model in weights/hub.json to its repo
    python -m training.publish --all --dry-run      # show what would be uploaded

Every upload is pinned: weights/hub.json records the commit hash of the upload as the model's revision
(for --all each model's own entry, for FOLDER the entry named by --name), so the app fetches exactly the
weights that were published, never whatever `main` holds later. Needs a token (HF_TOKEN, or `hf auth login`) unless --dry-run. Only complete folders
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
    parser.add_argument("--name", default=None, help="model name under which weights/hub.json pins FOLDER's upload (default: record nothing)")
    parser.add_argument("--all", action="store_true", help="publish every model listed in weights/hub.json to its configured repo")
    parser.add_argument("--dry-run", action="store_true", help="list the files that would be uploaded, upload nothing")
    parser.add_argument("--private", action="store_true", help="create new repos as private")
    parser.add_argument("--token", default=None, help="Hub token (default: HF_TOKEN or the stored login)")
    args = parser.parse_args(argv)
    if args.all == bool(args.folder):
        parser.error("give either FOLDER --repo ORG/NAME or --all")
    if args.folder and not args.repo:
        parser.error("FOLDER needs --repo ORG/NAME")
    if args.name and args.all:
        parser.error("--name goes with FOLDER; --all records every model under its own name")
    if args.name and model_class(args.name) is None:
        parser.error(f"--name {args.name} is not in weights/hub.json; add its entry (repo, revision, class) first")
    if args.all:
        jobs = [(WEIGHTS_ROOT / name, entry["repo"], name) for name, entry in hub_config().items()]
    else:
        jobs = [(args.folder, args.repo, args.name)]
    status = 0
    for folder, repo, name in jobs:
        try:
            cls = model_class(name or folder.name)
            upload = publish(folder, repo, model_cls=cls, token=args.token, private=args.private, dry_run=args.dry_run, record_as=name)
        except WeightsError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
            continue
        if args.dry_run:
            print(f"{folder} -> {repo}: would upload {', '.join(upload.files)}")
        else:
            pinned = f"; weights/hub.json pins {name} to it" if name else ""
            print(f"{folder} -> {repo}: uploaded {', '.join(upload.files)} as commit {upload.revision}{pinned}")
    return status


if __name__ == "__main__":
    sys.exit(main())
