"""The repository can be pushed to a Hugging Face Space as it is: binaries and large files are Git LFS files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HUB_PLAIN_FILE_LIMIT = 10 * 1024 * 1024


def _tracked_files() -> list[str]:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the LFS rules are checked on the tracked files of a clone")
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
    return [name for name in listing.stdout.decode().split("\0") if name and (REPO / name).is_file()]


def _lfs_tracked(names: list[str]) -> set[str]:
    """The names whose `filter` attribute is `lfs` under the repository's .gitattributes."""
    command = ["git", "check-attr", "-z", "filter", "--stdin"]
    output = subprocess.run(command, cwd=REPO, input="\0".join(names).encode(), capture_output=True, check=True)
    attributes = output.stdout.decode().split("\0")
    return {attributes[i] for i in range(0, len(attributes) - 2, 3) if attributes[i + 2] == "lfs"}


def _is_binary(path: Path) -> bool:
    with path.open("rb") as handle:
        return b"\0" in handle.read(8192)


def test_every_tracked_file_over_ten_megabytes_is_covered_by_an_lfs_rule():
    names = _tracked_files()
    large = [name for name in names if (REPO / name).stat().st_size > HUB_PLAIN_FILE_LIMIT]
    assert large, "the shipped colorizer weights are over 10 MB: if none are, this test checks nothing"
    assert sorted(set(large) - _lfs_tracked(large)) == []


def test_every_tracked_binary_file_is_covered_by_an_lfs_rule():
    binaries = [name for name in _tracked_files() if _is_binary(REPO / name)]
    assert any(name.endswith(".safetensors") for name in binaries)
    assert sorted(set(binaries) - _lfs_tracked(binaries)) == []


def test_text_files_stay_plain_git_files():
    assert _lfs_tracked(["README.md", "app.py", "weights/hub.json", "weights/colorgan-chromagan/config.json"]) == set()
