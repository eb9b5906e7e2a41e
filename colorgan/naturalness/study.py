"""One naturalness study: a pool, a vote store and the blind draw between them, as the UI and API use it."""
from __future__ import annotations

import random
from pathlib import Path

from colorgan.naturalness.pool import Pool, PoolEntry, load_pool, next_image
from colorgan.naturalness.results import MethodResult, tally
from colorgan.naturalness.store import RateLimit, Receipt, VoteError, VoteStore, is_valid_id, rate_limit_from_env


class NaturalnessStudy:
    """Draws images for participants, stores their votes and tallies the results."""

    def __init__(self, pool: Pool, votes_db: str, rate_limit: RateLimit = RateLimit(), seed: int | None = None) -> None:
        self.pool = pool
        self.store = VoteStore(votes_db, pool.catalog(), rate_limit)
        self.rng = random.Random(seed)

    @classmethod
    def open(cls, pool_dir: Path, votes_db: str, rate_limit: RateLimit | None = None) -> "NaturalnessStudy":
        """A study on the pool folder `pool_dir` and the database `votes_db` (SQLite path or URL); rate limit from the environment by default."""
        return cls(load_pool(pool_dir), votes_db, rate_limit or rate_limit_from_env())

    def draw(self, participant: str, also_seen: tuple[str, ...] = ()) -> PoolEntry | None:
        """The next image for this participant (None when they have seen every photo)."""
        if not is_valid_id(participant):
            raise VoteError("Your participant id is malformed (it must be 32 hex digits); reload the page to get a new one.")
        return next_image(self.pool, self.store.seen_images(participant) | set(also_seen), self.rng)

    def vote(self, participant: str, image: str, natural: bool, response_ms: int, vote_id: str | None = None) -> Receipt:
        """Store a participant's answer for an image of the pool; the method comes from the pool, never the client."""
        entry = self.pool.by_id.get(image)
        if entry is None:
            raise VoteError(f"Image {image!r} is not in the test pool; ask for a new image.")
        return self.store.record(participant, image, entry.method, natural, response_ms, vote_id)

    def results(self) -> list[MethodResult]:
        """The share judged natural per method, in the pool's method order."""
        return tally(self.store.counts(), self.pool.methods)
