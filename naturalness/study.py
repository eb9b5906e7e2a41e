"""One naturalness study: a pool, a vote store, participant tokens and the blind draw, as the UI and API use it."""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from naturalness.limits import ClientLimiter, StudyLimits
from naturalness.pool import Pool, PoolEntry, load_pool, next_image
from naturalness.results import MethodResult, tally
from naturalness.store import RateLimitError, Receipt, VoteStore
from naturalness.tokens import issue_token, participant_of, secret_from_env


@dataclass(frozen=True)
class Shown:
    """An image drawn for a participant: the ticket to vote with and the pool entry (whose method the client never sees)."""

    ticket: str
    entry: PoolEntry


class NaturalnessStudy:
    """Issues participant tokens, draws images for them, stores their votes and tallies the results."""

    def __init__(self, pool: Pool, votes_db: str, limits: StudyLimits = StudyLimits(), seed: int | None = None) -> None:
        self.pool = pool
        self.store = VoteStore(votes_db, pool.catalog(), limits.votes)
        self.secret = secret_from_env() or self.store.secret()
        self.joins = ClientLimiter(limits.joins)
        self.rng = random.Random(seed)

    @classmethod
    def open(cls, pool_dir: Path, votes_db: str, limits: StudyLimits | None = None) -> "NaturalnessStudy":
        """A study on the pool folder `pool_dir` and the database `votes_db` (SQLite path or URL); limits from the environment by default."""
        return cls(load_pool(pool_dir), votes_db, limits or StudyLimits.from_env())

    def join(self, client: str) -> str:
        """A signed token for a new participant from `client` (their address); RateLimitError past the per-client limit."""
        if not self.joins.allow(client):
            limit = self.joins.limit
            raise RateLimitError(f"Too many new participants from your address: at most {limit.votes} in {limit.seconds:g} seconds.")
        return issue_token(self.secret)

    def participant(self, token: object) -> str:
        """The participant id of a token this server issued; VoteError otherwise."""
        return participant_of(self.secret, token)

    def draw(self, token: object) -> Shown | None:
        """The image to show this participant: the pending one, else a new one; None when they have finished or seen every photo."""
        participant = self.participant(token)

        def choose(seen: set[str]) -> str | None:
            entry = next_image(self.pool, seen, self.rng)
            return entry.image if entry else None

        drawn = self.store.draw(participant, choose)
        return Shown(drawn.ticket, self.pool.by_id[drawn.image]) if drawn else None

    def vote(self, token: object, ticket: object, natural: object) -> Receipt:
        """Store a participant's answer for the image drawn with `ticket`; the method comes from the pool, never the client."""
        return self.store.record(self.participant(token), ticket, natural)

    def finish(self, token: object) -> None:
        """End this participant's test; they take no more votes and may see the results."""
        self.store.finish(self.participant(token))

    def answered(self, token: object) -> int:
        """How many images this participant has answered."""
        return len(self.store.seen_images(self.participant(token)))

    def results(self) -> list[MethodResult]:
        """The share judged natural per method, in the pool's method order."""
        return tally(self.store.counts(), self.pool.methods)
