"""The vote store of the naturalness test: one row per (participant, image), written once.

SQLite by default (a file path; WAL journal, full fsync, a busy timeout for concurrent writers), or
any server database SQLAlchemy reaches by URL (`postgresql+psycopg://user:pass@host/db`) for a
hosted deployment whose disk is not persistent. The same SQLAlchemy Core code runs on both.

A vote is refused with a sentence (VoteError) when its participant id is malformed, its image is
not in the pool, its method is not the image's method, or the participant has sent more than the
rate limit allows; a repeated vote (same vote id, or the same participant on the same image) is
not an error but is not counted twice: the receipt says `recorded=False` and carries the first answer.
"""
from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    cast,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
MAX_RESPONSE_MS = 3_600_000

metadata = MetaData()
participants = Table(
    "participants",
    metadata,
    Column("participant", String(32), primary_key=True),
    Column("first_seen", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
)
votes = Table(
    "votes",
    metadata,
    Column("vote_id", String(32), primary_key=True),
    Column("participant", String(32), nullable=False, index=True),
    Column("image", String(64), nullable=False),
    Column("method", String(64), nullable=False, index=True),
    Column("natural", Boolean, nullable=False),
    Column("response_ms", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("participant", "image", name="one_vote_per_image"),
)


class VoteError(ValueError):
    """A vote that is refused; the message is meant for the participant."""


class RateLimitError(VoteError):
    """A participant who sends votes faster than the rate limit allows."""


@dataclass(frozen=True)
class RateLimit:
    """At most `votes` votes per participant in any `seconds`-long window."""

    votes: int = 30
    seconds: float = 60.0


def rate_limit_from_env() -> RateLimit:
    """$GAN_STUDIO_VOTE_LIMIT as "VOTES/SECONDS" (e.g. "30/60"), else the default RateLimit()."""
    text = os.environ.get("GAN_STUDIO_VOTE_LIMIT", "").strip()
    if not text:
        return RateLimit()
    try:
        votes_text, seconds_text = text.split("/")
        limit = RateLimit(int(votes_text), float(seconds_text))
    except ValueError as error:
        raise ValueError(f"GAN_STUDIO_VOTE_LIMIT must look like 30/60 (votes/seconds), not {text!r}.") from error
    if limit.votes < 1 or limit.seconds <= 0:
        raise ValueError(f"GAN_STUDIO_VOTE_LIMIT needs at least 1 vote in a positive number of seconds, not {text!r}.")
    return limit


@dataclass(frozen=True)
class Vote:
    """One stored answer to "Does this image have a natural colorization?"."""

    vote_id: str
    participant: str
    image: str
    method: str
    natural: bool
    response_ms: int
    created_at: float


@dataclass(frozen=True)
class Receipt:
    """What storing a vote did: `recorded` is False for a repeat, and `vote` is the one that counts."""

    vote: Vote
    recorded: bool


def new_id() -> str:
    """A fresh random id (32 hex digits) for a participant or a vote."""
    return uuid.uuid4().hex


def is_valid_id(value: object) -> bool:
    """Whether `value` is a well-formed participant or vote id (32 lowercase hex digits)."""
    return isinstance(value, str) and ID_PATTERN.match(value) is not None


def database_url(target: str) -> str:
    """A SQLAlchemy URL for `target`: kept as is when it has a scheme, else an SQLite file path."""
    if "://" in target:
        if target.startswith("postgresql://"):
            return "postgresql+psycopg://" + target.removeprefix("postgresql://")
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(target: str) -> Engine:
    """An engine for an SQLite path or a database URL; SQLite files get WAL mode and a busy timeout."""
    url = database_url(target)
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _row_to_vote(row) -> Vote:
    return Vote(row.vote_id, row.participant, row.image, row.method, bool(row.natural), int(row.response_ms), float(row.created_at))


class VoteStore:
    """Votes of the naturalness test in a database, checked against the pool's images and methods."""

    def __init__(self, target: str, catalog: Mapping[str, str], rate_limit: RateLimit = RateLimit()) -> None:
        self.engine = make_engine(target)
        self.catalog = dict(catalog)
        self.methods = frozenset(self.catalog.values())
        self.rate_limit = rate_limit
        metadata.create_all(self.engine)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def _upsert_participant(self, participant: str, now: float):
        dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(self.engine.dialect.name)
        if dialect is None:
            raise RuntimeError(f"Unsupported database {self.engine.dialect.name!r}: use SQLite or PostgreSQL.")
        statement = dialect.insert(participants).values(participant=participant, first_seen=now, last_seen=now)
        return statement.on_conflict_do_update(index_elements=["participant"], set_={"last_seen": now})

    def _check(self, participant: str, image: str, method: str, natural: object, response_ms: object, vote_id: str) -> None:
        if not is_valid_id(participant):
            raise VoteError("Your participant id is malformed (it must be 32 hex digits); reload the page to get a new one.")
        if not is_valid_id(vote_id):
            raise VoteError("The vote id is malformed (it must be 32 hex digits); leave it empty to have one made.")
        if image not in self.catalog:
            raise VoteError(f"Image {image!r} is not in the test pool; ask for a new image.")
        if method not in self.methods:
            raise VoteError(f"Method {method!r} is not one of the pool's methods.")
        if self.catalog[image] != method:
            raise VoteError(f"Image {image!r} was not made by method {method!r}.")
        if not isinstance(natural, bool):
            raise VoteError("The answer must be yes (true) or no (false).")
        if isinstance(response_ms, bool) or not isinstance(response_ms, int) or not 0 <= response_ms <= MAX_RESPONSE_MS:
            raise VoteError(f"The response time must be a whole number of milliseconds between 0 and {MAX_RESPONSE_MS}.")

    def record(
        self, participant: str, image: str, method: str, natural: bool, response_ms: int, vote_id: str | None = None
    ) -> Receipt:
        """Store one vote once; raise VoteError for a vote that is refused."""
        vote_id = vote_id or new_id()
        self._check(participant, image, method, natural, response_ms, vote_id)
        now = time.time()
        with self.engine.begin() as connection:
            # The participant row is written first: its lock orders this participant's concurrent votes,
            # so the rate-limit count below sees every vote committed before ours.
            connection.execute(self._upsert_participant(participant, now))
            existing = connection.execute(
                select(votes).where(
                    ((votes.c.participant == participant) & (votes.c.image == image)) | (votes.c.vote_id == vote_id)
                )
            ).first()
            if existing is not None:
                if existing.participant != participant:
                    raise VoteError("This vote id belongs to another participant; leave it empty to have one made.")
                return Receipt(_row_to_vote(existing), recorded=False)
            window_start = now - self.rate_limit.seconds
            recent = connection.execute(
                select(func.count()).select_from(votes).where((votes.c.participant == participant) & (votes.c.created_at > window_start))
            ).scalar_one()
            if recent >= self.rate_limit.votes:
                raise RateLimitError(
                    f"Too many votes: at most {self.rate_limit.votes} in {self.rate_limit.seconds:g} seconds. "
                    "Please take about five seconds per image."
                )
            vote = Vote(vote_id, participant, image, method, natural, response_ms, now)
            try:
                connection.execute(votes.insert().values(**vote.__dict__))
            except IntegrityError as error:
                raise VoteError("This vote collided with another one stored at the same moment; please send it again.") from error
        return Receipt(vote, recorded=True)

    def seen_images(self, participant: str) -> set[str]:
        """The images this participant has already answered."""
        with self.engine.connect() as connection:
            return set(connection.execute(select(votes.c.image).where(votes.c.participant == participant)).scalars())

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per method: (votes judged natural, all votes)."""
        natural = func.sum(cast(votes.c.natural, Integer))
        query = select(votes.c.method, func.coalesce(natural, 0), func.count()).group_by(votes.c.method)
        with self.engine.connect() as connection:
            return {method: (int(yes), int(total)) for method, yes, total in connection.execute(query)}

    def all_votes(self) -> Iterator[Vote]:
        """Every stored vote, oldest first."""
        with self.engine.connect() as connection:
            for row in connection.execute(select(votes).order_by(votes.c.created_at, votes.c.vote_id)):
                yield _row_to_vote(row)

    def __len__(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(votes)).scalar_one())
