"""Publish bundled weights folders (weights + model card) to the Hugging Face Hub.

    python -m training.publish weights/colorgan-chromagan --repo me/colorgan-chromagan
    python -m training.publish --all                # every model in weights/hub.json to its repo
    python -m training.publish --all --dry-run      # show what would be uploaded

Every upload is pinned: weights/hub.json records the commit hash of the upload as the model's revision (for --all each
model's own entry, for FOLDER the entry named by --name), so the app fetches exactly the weights that were published,
never whatever `main` holds later. Needs a token (HF_TOKEN, or `hf auth login`) unless --dry-run. Only complete folders
(config.json + model.safetensors + README.md) are uploaded, and a folder named in weights/hub.json must first load with
its configured model class (`from_pretrained`, strict), dry run or not.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gan.cli import command_parser, parse_configs, positional
from gan.hub import WeightsError, model_class, publish
from gan.shipped import WEIGHTS_ROOT, hub_config


@dataclass
class PublishConfig:
    """What to publish and how."""

    folder: Path | None = positional(default=None)
    repo: str = ""
    name: str = ""
    all: bool = False
    dry_run: bool = False
    private: bool = False
    token: str = ""


PUBLISH_HELP = {
    "folder": "one weights folder to publish (with --repo)",
    "repo": "Hub repo id (org/name) for FOLDER",
    "name": "model name under which weights/hub.json pins FOLDER's upload (empty: record nothing)",
    "all": "publish every model listed in weights/hub.json to its configured repo",
    "dry_run": "list the files that would be uploaded, upload nothing",
    "private": "create new repos as private",
    "token": "Hub token (empty: HF_TOKEN or the stored login)",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Publish and print what was (or would be) uploaded; return the exit status."""
    parser = command_parser("python -m training.publish", __doc__, (PublishConfig, PUBLISH_HELP), print_config=False)
    config, _ = parse_configs(parser, argv, PublishConfig)
    if config.all == bool(config.folder):
        parser.error("give either FOLDER --repo ORG/NAME or --all")
    if config.folder and not config.repo:
        parser.error("FOLDER needs --repo ORG/NAME")
    if config.name and config.all:
        parser.error("--name goes with FOLDER; --all records every model under its own name")
    if config.name and model_class(config.name) is None:
        parser.error(f"--name {config.name} is not in weights/hub.json; add its entry (repo, revision, class) first")
    if config.all:
        jobs = [(WEIGHTS_ROOT / name, entry["repo"], name) for name, entry in hub_config().items()]
    else:
        jobs = [(config.folder, config.repo, config.name or None)]
    status = 0
    for folder, repo, name in jobs:
        try:
            cls = model_class(name or folder.name)
            upload = publish(
                folder,
                repo,
                model_cls=cls,
                token=config.token or None,
                private=config.private,
                dry_run=config.dry_run,
                record_as=name,
            )
        except WeightsError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
            continue
        if config.dry_run:
            print(f"{folder} -> {repo}: would upload {', '.join(upload.files)}")
        else:
            pinned = f"; weights/hub.json pins {name} to it" if name else ""
            print(f"{folder} -> {repo}: uploaded {', '.join(upload.files)} as commit {upload.revision}{pinned}")
    return status


if __name__ == "__main__":
    sys.exit(main())
