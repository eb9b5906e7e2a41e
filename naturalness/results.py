"""The results of the naturalness test: per method, the share judged natural with a 95 % Wilson interval.

The table resists a motivated visitor the way crowdsourced perceptual studies do (Zhang et al. 2016):
participants who fail the catch trials (an obviously wrong colorization judged natural, every real photo
judged unnatural) or answer faster than a person looks are kept in the database but left out of the table,
and every address counts as at most one participant: its votes on a method weigh at most `cap` votes,
however many participants it joined as (`robust_tally`).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from gan.metrics import wilson_interval
from naturalness.store import Vote

CATCH = "catch-wrong"  # the catch trials' method: obviously wrong colorizations, never in the table
HEADERS = ["method", "judged natural", "votes", "95 % Wilson interval"]
CSV_FIELDS = ["method", "natural", "votes", "share", "wilson_low", "wilson_high"]
VOTE_FIELDS = ["vote_id", "participant", "image", "method", "natural", "response_ms", "created_at"]


@dataclass(frozen=True)
class MethodResult:
    """How often one method's images were judged natural."""

    method: str
    natural: float
    votes: float

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


@dataclass(frozen=True)
class Screening:
    """Who counts in the table: at least `min_answers` answers, one a catch trial; at most `max_catch_misses` of the
    wrong colorizations judged natural; not every real photo judged unnatural (when shown `min_real` of them); at most
    `max_fast_share` of the answers faster than `min_answer_ms`."""

    min_answers: int = 4
    max_catch_misses: float = 0.25
    min_real: int = 3
    min_answer_ms: int = 800
    max_fast_share: float = 0.25

    def failure(self, votes: Sequence[Vote]) -> str | None:
        """Why this participant's votes are left out of the table; None when they count."""
        from naturalness.pool import REAL

        catches = [vote.natural for vote in votes if vote.method == CATCH]
        reals = [vote.natural for vote in votes if vote.method == REAL]
        if len(votes) < self.min_answers or not catches:
            return "too few answers"
        if sum(catches) > self.max_catch_misses * len(catches):
            return "judged an obviously wrong colorization natural"
        if len(reals) >= self.min_real and not any(reals):
            return "judged every real photo unnatural"
        if sum(vote.response_ms < self.min_answer_ms for vote in votes) > self.max_fast_share * len(votes):
            return "answered faster than a person looks"
        return None


@dataclass(frozen=True)
class StudyResults:
    """The table's rows, and how many participants it counts and leaves out (by reason)."""

    methods: list[MethodResult]
    counted: int
    excluded: dict[str, int] = field(default_factory=dict)
    addresses: int = 0

    def summary(self) -> str:
        """One sentence on who is counted."""
        left_out = sum(self.excluded.values())
        reasons = "; ".join(f"{count} {reason}" for reason, count in sorted(self.excluded.items()))
        return (
            f"{self.counted} participants from {self.addresses} addresses counted, {left_out} excluded"
            + (f" ({reasons})" if reasons else "")
            + "; every address weighs at most one participant."
        )


def robust_tally(
    votes: Iterable[Vote],
    address_of: Mapping[str, str],
    methods: Sequence[str],
    cap: int,
    screening: Screening = Screening(),
) -> StudyResults:
    """The table from raw votes: participants who fail `screening` left out, each address's votes on a method
    weighing at most `cap` votes (its natural share kept), methods in `methods` order; the catch trials never shown."""
    by_participant: dict[str, list[Vote]] = defaultdict(list)
    for vote in votes:
        by_participant[vote.participant].append(vote)
    excluded: dict[str, int] = defaultdict(int)
    per_address: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    counted = 0
    for participant, answers in by_participant.items():
        reason = screening.failure(answers)
        if reason is not None:
            excluded[reason] += 1
            continue
        counted += 1
        address = address_of.get(participant, participant)
        for vote in answers:
            if vote.method != CATCH:
                tallies = per_address[address, vote.method]
                tallies[0] += vote.natural
                tallies[1] += 1
    weighted: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (_, method), (natural, total) in per_address.items():
        weight = min(1.0, cap / total)
        weighted[method][0] += weight * natural
        weighted[method][1] += weight * total
    counts = {method: (natural, total) for method, (natural, total) in weighted.items()}
    return StudyResults(tally(counts, methods), counted, dict(excluded), len({address for address, _ in per_address}))


def table_rows(results: Iterable[MethodResult]) -> list[list[str | int]]:
    """The results as rows of HEADERS, percentages with one decimal."""
    rows: list[list[str | int]] = []
    for result in results:
        if result.votes:
            low, high = result.interval
            votes = round(result.votes) if float(result.votes).is_integer() else round(result.votes, 1)
            rows.append([result.method, f"{100 * result.share:.1f} %", votes, f"{100 * low:.1f} – {100 * high:.1f} %"])
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
        writer.writerow([result.method, f"{result.natural:g}", f"{result.votes:g}", *fractions])


def write_votes_csv(votes: Iterable[Vote], handle: TextIO) -> None:
    """Write every vote as one CSV row (the raw data behind the table)."""
    writer = csv.writer(handle)
    writer.writerow(VOTE_FIELDS)
    for vote in votes:
        writer.writerow([getattr(vote, name) for name in VOTE_FIELDS])
