"""The vote store of the naturalness test: what each participant was shown, and one vote per image shown.

SQLite by default (a file path; WAL journal, full fsync, a busy timeout for concurrent writers), or
any server database SQLAlchemy reaches by URL (`postgresql+psycopg://user:pass@host/db`) for a
hosted deployment whose disk is not persistent. The same SQLAlchemy Core code runs on both.

The server draws every image it shows (`draw`): a row with a random ticket, the participant and the
image. A participant has at most one image pending (drawn, not yet answered), so asking again returns
the same one. A vote names a ticket (`record`) and is refused with a sentence (VoteError) unless that
ticket was drawn for this participant; the method comes from the pool, never from the client, and the
response time is measured by the server from the draw. A repeated vote on a ticket is not an error
but is not counted twice: the receipt says `recorded=False` and carries the first answer. The server
secret that signs participant tokens is generated once and kept in this database (`secret`).
"""

from __future__ import annotations

import os
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
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
    and_,
    cast,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from naturalness.limits import RateLimit

ID_PATTERN = re.compile(r"[0-9a-f]{32}")
MAX_RESPONSE_MS = 3_600_000


def default_votes_db() -> str:
    """The vote store: $GAN_STUDIO_VOTES_DB, else /data on a Space with persistent storage, else ./votes.sqlite3."""
    if os.environ.get("GAN_STUDIO_VOTES_DB"):
        return os.environ["GAN_STUDIO_VOTES_DB"]
    if os.environ.get("SPACE_ID") and Path("/data").is_dir():
        return "/data/votes.sqlite3"
    return "votes.sqlite3"


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
draws = Table(
    "draws",
    metadata,
    Column("ticket", String(32), primary_key=True),
    Column("participant", String(32), nullable=False, index=True),
    Column("image", String(64), nullable=False),
    Column("drawn_at", Float, nullable=False),
    UniqueConstraint("participant", "image", name="one_draw_per_image"),
)
finished = Table(
    "finished",
    metadata,
    Column("participant", String(32), primary_key=True),
    Column("finished_at", Float, nullable=False),
)
address_table = Table(
    "addresses",
    metadata,
    Column("participant", String(32), primary_key=True),
    Column("address", String(32), nullable=False, index=True),
)
settings = Table(
    "settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)
SECRET_SETTING = "token-secret"


class VoteError(ValueError):
    """A vote that is refused; the message is meant for the participant."""


class RateLimitError(VoteError):
    """A participant who sends votes faster than the rate limit allows."""


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
class Draw:
    """An image drawn for a participant: the ticket to vote with, the pool image and when it was drawn (epoch
    seconds)."""

    ticket: str
    image: str
    drawn_at: float


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
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


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
    return Vote(
        row.vote_id,
        row.participant,
        row.image,
        row.method,
        bool(row.natural),
        int(row.response_ms),
        float(row.created_at),
    )


class VoteStore:
    """Draws and votes of the naturalness test in a database, checked against the pool's images."""

    def __init__(
        self,
        target: str,
        catalog: Mapping[str, str],
        rate_limit: RateLimit = RateLimit(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = make_engine(target)
        self.catalog = dict(catalog)
        self.rate_limit = rate_limit
        self.clock = clock
        metadata.create_all(self.engine)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def _dialect(self):
        dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(self.engine.dialect.name)
        if dialect is None:
            raise RuntimeError(f"Unsupported database {self.engine.dialect.name!r}: use SQLite or PostgreSQL.")
        return dialect

    def _lock_participant(self, connection, participant: str, now: float) -> bool:
        """Upsert the participant's row, which orders their concurrent draws and votes; whether they have finished."""
        statement = self._dialect().insert(participants).values(participant=participant, first_seen=now, last_seen=now)
        connection.execute(statement.on_conflict_do_update(index_elements=["participant"], set_={"last_seen": now}))
        return (
            connection.execute(select(finished.c.participant).where(finished.c.participant == participant)).first()
            is not None
        )

    def secret(self) -> bytes:
        """The server secret kept in this database, generated at the first call (the same for every process sharing
        it)."""
        statement = self._dialect().insert(settings).values(name=SECRET_SETTING, value=secrets.token_hex(32))
        with self.engine.begin() as connection:
            connection.execute(statement.on_conflict_do_nothing(index_elements=["name"]))
            return (
                connection.execute(select(settings.c.value).where(settings.c.name == SECRET_SETTING))
                .scalar_one()
                .encode()
            )

    def draw(
        self, participant: str, choose: Callable[[set[str]], str | None], address: str | None = None
    ) -> Draw | None:
        """The participant's pending image, else a new one `choose(images already drawn for them)` picks; None at
        the end.

        `address` (an opaque key of where the participant connects from) is kept with their first draw: the
        results weigh every address as at most one participant.
        """
        now = self.clock()
        with self.engine.begin() as connection:
            if self._lock_participant(connection, participant, now):
                return None
            if address is not None:
                statement = self._dialect().insert(address_table).values(participant=participant, address=address[:32])
                connection.execute(statement.on_conflict_do_nothing(index_elements=["participant"]))
            pending = connection.execute(
                select(draws)
                .outerjoin(votes, votes.c.vote_id == draws.c.ticket)
                .where(and_(draws.c.participant == participant, votes.c.vote_id.is_(None)))
                .order_by(draws.c.drawn_at)
            ).first()
            if pending is not None and pending.image in self.catalog:
                return Draw(pending.ticket, pending.image, float(pending.drawn_at))
            seen = set(connection.execute(select(draws.c.image).where(draws.c.participant == participant)).scalars())
            seen |= set(connection.execute(select(votes.c.image).where(votes.c.participant == participant)).scalars())
            image = choose(seen)
            if image is None:
                return None
            drawn = Draw(new_id(), image, now)
            connection.execute(
                draws.insert().values(ticket=drawn.ticket, participant=participant, image=image, drawn_at=now)
            )
        return drawn

    def record(self, participant: str, ticket: object, natural: object) -> Receipt:
        """Store the participant's answer for the image drawn with `ticket`, once; raise VoteError for a vote that is
        refused."""
        if not is_valid_id(ticket):
            raise VoteError("The image ticket is malformed (it must be 32 hex digits, as the test gave it to you).")
        if not isinstance(natural, bool):
            raise VoteError("The answer must be yes (true) or no (false).")
        now = self.clock()
        with self.engine.begin() as connection:
            if self._lock_participant(connection, participant, now):
                raise VoteError("You have finished the test, so it takes no more votes from you. Thank you!")
            drawn = connection.execute(select(draws).where(draws.c.ticket == ticket)).first()
            if drawn is None or drawn.participant != participant:
                raise VoteError("This image ticket was not given to you: vote only on the images the test shows you.")
            existing = connection.execute(select(votes).where(votes.c.vote_id == ticket)).first()
            if existing is not None:
                return Receipt(_row_to_vote(existing), recorded=False)
            if drawn.image not in self.catalog:
                raise VoteError("This image has left the test pool; ask for a new image.")
            window_start = now - self.rate_limit.seconds
            recent = connection.execute(
                select(func.count())
                .select_from(votes)
                .where((votes.c.participant == participant) & (votes.c.created_at > window_start))
            ).scalar_one()
            if recent >= self.rate_limit.votes:
                raise RateLimitError(
                    f"Too many votes: at most {self.rate_limit.votes} in {self.rate_limit.seconds:g} seconds. "
                    "Please take about five seconds per image."
                )
            response_ms = min(MAX_RESPONSE_MS, max(0, round(1000 * (now - drawn.drawn_at))))
            vote = Vote(ticket, participant, drawn.image, self.catalog[drawn.image], natural, response_ms, now)
            try:
                connection.execute(votes.insert().values(**vote.__dict__))
            except IntegrityError as error:
                raise VoteError(
                    "This vote collided with another one stored at the same moment; please send it again."
                ) from error
        return Receipt(vote, recorded=True)

    def finish(self, participant: str) -> None:
        """Close the participant's test: no more draws or votes from them (they may now see the results)."""
        now = self.clock()
        statement = self._dialect().insert(finished).values(participant=participant, finished_at=now)
        with self.engine.begin() as connection:
            self._lock_participant(connection, participant, now)
            connection.execute(statement.on_conflict_do_nothing(index_elements=["participant"]))

    def has_finished(self, participant: str) -> bool:
        """Whether the participant has closed their test."""
        with self.engine.connect() as connection:
            return (
                connection.execute(select(finished.c.participant).where(finished.c.participant == participant)).first()
                is not None
            )

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

    def addresses(self) -> dict[str, str]:
        """Participant -> the address key of their first draw."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(address_table.c.participant, address_table.c.address))
            return {participant: address for participant, address in rows}

    def all_votes(self) -> Iterator[Vote]:
        """Every stored vote, oldest first."""
        with self.engine.connect() as connection:
            for row in connection.execute(select(votes).order_by(votes.c.created_at, votes.c.vote_id)):
                yield _row_to_vote(row)

    def __len__(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(votes)).scalar_one())
