"""The results of the naturalness test: per method, the share judged natural with a 95 % Wilson interval."""
from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from gan.metrics import wilson_interval
from naturalness.store import Vote

HEADERS = ["method", "judged natural", "votes", "95 % Wilson interval"]
CSV_FIELDS = ["method", "natural", "votes", "share", "wilson_low", "wilson_high"]
VOTE_FIELDS = ["vote_id", "participant", "image", "method", "natural", "response_ms", "created_at"]


@dataclass(frozen=True)
class MethodResult:
    """How often one method's images were judged natural."""

    method: str
    natural: int
    votes: int

    @property
    def share(self) -> float | None:
        """The share judged natural; None without votes."""
        return self.natural / self.votes if self.votes else None

    @property
    def interval(self) -> tuple[float, float]:
        """The 95 % Wilson score interval of the share."""
        return wilson_interval(self.natural, self.votes)


def tally(counts: Mapping[str, tuple[int, int]], methods: Sequence[str]) -> list[MethodResult]:
    """One result per method, in the pool's order, then any method that has votes but left the pool."""
    order = list(methods) + sorted(set(counts) - set(methods))
    return [MethodResult(method, *counts.get(method, (0, 0))) for method in order]


def table_rows(results: Iterable[MethodResult]) -> list[list[str | int]]:
    """The results as rows of HEADERS, percentages with one decimal."""
    rows: list[list[str | int]] = []
    for result in results:
        if result.votes:
            low, high = result.interval
            rows.append([result.method, f"{100 * result.share:.1f} %", result.votes, f"{100 * low:.1f} – {100 * high:.1f} %"])
        else:
            rows.append([result.method, "–", 0, "–"])
    return rows


def format_table(results: Iterable[MethodResult]) -> str:
    """The results as a Markdown table, what the CLI prints."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in table_rows(results)]
    return "\n".join(lines)


def write_results_csv(results: Iterable[MethodResult], handle: TextIO) -> None:
    """Write the results as CSV (shares and bounds as fractions in [0, 1], empty without votes)."""
    writer = csv.writer(handle)
    writer.writerow(CSV_FIELDS)
    for result in results:
        fractions = [f"{value:.6f}" for value in (result.share, *result.interval)] if result.votes else ["", "", ""]
        writer.writerow([result.method, result.natural, result.votes, *fractions])


def write_votes_csv(votes: Iterable[Vote], handle: TextIO) -> None:
    """Write every vote as one CSV row (the raw data behind the table)."""
    writer = csv.writer(handle)
    writer.writerow(VOTE_FIELDS)
    for vote in votes:
        writer.writerow([getattr(vote, name) for name in VOTE_FIELDS])
