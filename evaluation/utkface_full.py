"""UTKFace test faces at their original 200×200, for evaluating inpainting the way the app is used.

    python -m evaluation.utkface_full --source /path/to/UTKFace   # a folder or git directory of *.jpg.chip.jpg
    python -m evaluation.utkface_full --val-proxy                  # our val split at 64 px, to choose settings

The faces are exactly our `utkface` test split (gan.data.load_utkface: a seeded draw over the sorted file
names of utkface-64), matched by file name in a copy of the original aligned-and-cropped UTKFace
(`AGE_GENDER_RACE_DATETIME.jpg.chip.jpg`, such as the public GitHub repository xerow03/UTKFace); no other
face is read. They go to data/utkface-200-test/ (git-ignored; UTKFace is for non-commercial research only),
and `--data folder:data/utkface-200-test` evaluates on them.

Settings are chosen on validation faces, never on those. The original crops of our val split are not read (only the
test split's are), so `--val-proxy` copies the val split's 64×64 faces from utkface-64 to data/utkface-64-val, and
`--data folder:data/utkface-64-val --side 200` evaluates on them enlarged to 200×200: softer than true 200-px faces,
the same faces framed the same way.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gan.cli import ConfigError, command_parser, parse_configs
from gan.data import UNSPLIT_FRACTIONS, DataError, _extracted, _seeded_parts, data_root

FOLDER = "utkface-200-test"
VAL_PROXY_FOLDER = "utkface-64-val"
CHIP = ".chip.jpg"


@dataclass
class BuildConfig:
    """Where the original faces are."""

    source: str = ""
    val_proxy: bool = False

    def __post_init__(self) -> None:
        if not self.source and not self.val_proxy:
            raise ConfigError("--source is required: a folder or git directory of the original UTKFace crops.")


HELP = {
    "source": "folder of UTKFace's original crops (data/*.jpg.chip.jpg or *.jpg), or a bare git directory holding them",
    "val_proxy": "instead, copy our val split's 64×64 faces from utkface-64 to data/utkface-64-val (no --source)",
}


def utkface_64() -> Path:
    """The extracted utkface-64 folder, whose sorted file names define our splits."""
    root = _extracted("utkface-64.tar.gz", "utkface-64")
    if root is None:
        raise DataError("utkface-64 is not here: its file names define the splits.")
    return root


def split_names(split: str = "test") -> list[str]:
    """File names of our utkface `split` (as in utkface-64), in the order of the sorted file list."""
    files = sorted(p.name for p in utkface_64().glob("*.jpg"))
    return [files[i] for i in _seeded_parts(len(files), UNSPLIT_FRACTIONS)[split].tolist()]


def build_val_proxy() -> tuple[Path, int]:
    """Copy our val split's 64×64 faces from utkface-64 to data/utkface-64-val; (folder, copied)."""
    root, target = utkface_64(), data_root() / VAL_PROXY_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    names = split_names("val")
    for name in names:
        (target / name).write_bytes((root / name).read_bytes())
    return target, len(names)


def _git_reader(git_dir: Path) -> dict[str, str]:
    listing = subprocess.run(
        ["git", "--git-dir", str(git_dir), "ls-tree", "-r", "HEAD", "--name-only"],
        check=True,
        capture_output=True,
        text=True,
    )
    return {Path(p).name.removesuffix(CHIP): p for p in listing.stdout.splitlines() if p.endswith(".jpg")}


def build(source: Path) -> tuple[Path, int, int]:
    """Copy the test faces found in `source` to data/utkface-200-test; (folder, copied, missing)."""
    names = split_names("test")
    target = data_root() / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    is_git = (source / "HEAD").exists() and (source / "objects").is_dir()
    if is_git:
        paths = _git_reader(source)
    else:
        paths = {p.name.removesuffix(CHIP): str(p) for p in source.rglob("*.jpg")}
    copied = 0
    for name in names:
        if name not in paths:
            continue
        if is_git:
            data = subprocess.run(
                ["git", "--git-dir", str(source), "show", f"HEAD:{paths[name]}"], check=True, capture_output=True
            ).stdout
        else:
            data = Path(paths[name]).read_bytes()
        (target / name).write_bytes(data)
        copied += 1
    return target, copied, len(names) - copied


def main(argv: Sequence[str] | None = None) -> None:
    """Build the folder from the command line."""
    parser = command_parser("python -m evaluation.utkface_full", __doc__, (BuildConfig, HELP), print_config=False)
    (config, _args) = parse_configs(parser, argv, BuildConfig)
    if config.val_proxy:
        target, copied = build_val_proxy()
        print(f"{copied} val faces at 64×64 in {target}; evaluate with --side 200.")
        return
    target, copied, missing = build(Path(config.source).expanduser())
    print(f"{copied} test faces at 200×200 in {target}; {missing} of the split not found in the source.")


if __name__ == "__main__":
    main()
