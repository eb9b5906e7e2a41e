"""The README is a front door: short, and every page or picture it points at exists."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README_LINES = 250


def test_the_readme_reads_in_five_minutes() -> None:
    assert len((REPO / "README.md").read_text().splitlines()) <= README_LINES


def test_every_relative_link_of_the_readme_and_the_docs_resolves() -> None:
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    missing = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if not re.match(r"[a-z]+://|mailto:", target) and not (page.parent / target).exists():
                missing.append(f"{page.relative_to(REPO)} -> {target}")
    assert not missing, missing
