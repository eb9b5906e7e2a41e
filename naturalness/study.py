"""One naturalness study: a pool, a vote store, participant tokens and the blind draw, as the UI and API use it.

Besides the pool's images the study shows catch trials: for each real photo, an obviously wrong
colorization of it, made here and named by an id derived from the server secret (`CATCH`). A participant
sees one as their second image and one more every `CATCH_EVERY` images; the table counts only the
participants who pass them (`naturalness.results.Screening`), each address as at most one participant.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from naturalness.limits import ClientLimiter, StudyLimits
from naturalness.pool import REAL, Pool, PoolEntry, load_pool, next_image, wrong_colorization
from naturalness.results import CATCH, StudyResults, robust_tally
from naturalness.store import RateLimitError, Receipt, VoteError, VoteStore
from naturalness.tokens import issue_token, participant_of, secret_from_env

CATCH_EVERY = 8
RESULTS_AFTER_ROUND = "The results are shown once your round is over: finish the test first."


@dataclass(frozen=True)
class Shown:
    """An image drawn for a participant: the ticket to vote with and the pool entry (its method never sent)."""

    ticket: str
    entry: PoolEntry


class NaturalnessStudy:
    """Issues participant tokens, draws images for them, stores their votes and tallies the results."""

    def __init__(
        self,
        pool: Pool,
        votes_db: str,
        limits: StudyLimits = StudyLimits(),
        seed: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.pool = pool
        self.store = VoteStore(votes_db, {}, limits.votes, clock)
        self.secret = secret_from_env() or self.store.secret()
        self.catches = {entry.source: self._catch_entry(entry) for entry in pool.entries if entry.method == REAL}
        self.entries = {**pool.by_id, **{entry.image: entry for entry in self.catches.values()}}
        self.store.catalog = {image: entry.method for image, entry in self.entries.items()}
        self.address_votes = ClientLimiter(limits.address_votes)
        self.rng = random.Random(seed)
        self.cap = math.ceil(len(pool.sources()) / max(1, len(pool.methods)))

    @classmethod
    def open(cls, pool_dir: Path, votes_db: str, limits: StudyLimits | None = None) -> "NaturalnessStudy":
        """A study on the pool folder `pool_dir` and the database `votes_db` (SQLite path or URL); limits from the
        environment by default."""
        return cls(load_pool(pool_dir), votes_db, limits or StudyLimits.from_env())

    def _catch_entry(self, real: PoolEntry) -> PoolEntry:
        digest = hmac.new(self.secret, f"naturalness-catch:{real.source}".encode(), hashlib.sha256).hexdigest()[:16]
        return PoolEntry(digest, real.file, real.source, CATCH)

    def address_key(self, address: str) -> str:
        """The opaque key an address is stored as (an HMAC under the server secret: no address in the database)."""
        return hmac.new(self.secret, f"naturalness-address:{address}".encode(), hashlib.sha256).hexdigest()[:32]

    def join(self, client: str = "") -> str:
        """A signed token for a new participant; never refused, as extra identities of one address weigh nothing."""
        return issue_token(self.secret)

    def participant(self, token: object) -> str:
        """The participant id of a token this server issued; VoteError otherwise."""
        return participant_of(self.secret, token)

    def image(self, shown: Shown) -> Image.Image:
        """The pixels of a drawn image (a catch trial made from its real photo)."""
        with Image.open(self.pool.root / shown.entry.file) as image:
            return wrong_colorization(image) if shown.entry.method == CATCH else image.convert("RGB")

    def draw(self, token: object, client: str | None = None) -> Shown | None:
        """The image to show this participant: the pending one, else a new one; None once finished or all seen."""
        participant = self.participant(token)

        def choose(seen: set[str]) -> str | None:
            shown = [self.entries[image] for image in seen if image in self.entries]
            catches = sum(entry.method == CATCH for entry in shown)
            used = {entry.source for entry in shown}
            if shown and catches < 1 + len(shown) // CATCH_EVERY:
                free = sorted(source for source in self.catches if source not in used)
                if free:
                    return self.catches[self.rng.choice(free)].image
            entry = next_image(self.pool, seen, self.rng, used)
            return entry.image if entry else None

        drawn = self.store.draw(participant, choose, None if client is None else self.address_key(client))
        return Shown(drawn.ticket, self.entries[drawn.image]) if drawn else None

    def vote(self, token: object, ticket: object, natural: object, client: str | None = None) -> Receipt:
        """Store a participant's answer for the image drawn with `ticket` (its method from the pool, not the client).

        `client` (the address) has its own rate, however many participants it joined as.
        """
        participant = self.participant(token)
        if client is not None and not self.address_votes.allow(client):
            limit = self.address_votes.limit
            raise RateLimitError(
                f"Too many votes from your address: at most {limit.votes} in {limit.seconds:g} seconds."
            )
        return self.store.record(participant, ticket, natural)

    def finish(self, token: object) -> None:
        """End this participant's test; they take no more votes and may see the results."""
        self.store.finish(self.participant(token))

    def answered(self, token: object) -> int:
        """How many images this participant has answered."""
        return len(self.store.seen_images(self.participant(token)))

    def results(self) -> StudyResults:
        """The table: screened participants, each address weighing at most one participant, methods in pool order."""
        return robust_tally(self.store.all_votes(), self.store.addresses(), self.pool.methods, self.cap)

    def results_for(self, token: object) -> StudyResults:
        """The table for a participant whose round is over; VoteError mid-round, so the table cannot steer answers."""
        if not self.store.has_finished(self.participant(token)):
            raise VoteError(RESULTS_AFTER_ROUND)
        return self.results()
