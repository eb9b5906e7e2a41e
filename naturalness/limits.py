"""Rate limits of the naturalness test: votes per participant (in the database) and votes per address.

A participant cannot cast more than `StudyLimits.votes` votes in a window (checked by the vote store
inside the vote's transaction), and one address cannot cast more than `StudyLimits.address_votes` in a
window, however many participants it joined as (checked here, in the server's memory). Joining is never
refused, so one visitor cannot lock others out; the results weigh every address as at most one
participant. The address is the client's as uvicorn sees it: behind a reverse proxy, name the proxy with
`python app.py --trusted-proxies ADDRESS` so that visitors are told apart by their own addresses, and
X-Forwarded-For from anyone else is ignored.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RateLimit:
    """At most `votes` events (votes, or new participants) in any `seconds`-long window."""

    votes: int = 30
    seconds: float = 60.0


def rate_limit_from_env(variable: str = "GAN_STUDIO_VOTE_LIMIT", default: RateLimit = RateLimit()) -> RateLimit:
    """$`variable` as "COUNT/SECONDS" (e.g. "30/60"), else `default`; a malformed value raises ValueError with a
    sentence."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        count_text, seconds_text = text.split("/")
        limit = RateLimit(int(count_text), float(seconds_text))
    except ValueError as error:
        raise ValueError(f"{variable} must look like 30/60 (count/seconds), not {text!r}.") from error
    if limit.votes < 1 or not 0 < limit.seconds < float("inf"):
        raise ValueError(f"{variable} needs a count of at least 1 in a positive number of seconds, not {text!r}.")
    return limit


@dataclass(frozen=True)
class StudyLimits:
    """Votes per participant ($GAN_STUDIO_VOTE_LIMIT) and per address ($GAN_STUDIO_ADDRESS_LIMIT)."""

    votes: RateLimit = RateLimit(30, 60.0)
    address_votes: RateLimit = RateLimit(120, 60.0)  # about 10 people behind one address answering every 5 s

    @classmethod
    def from_env(cls) -> "StudyLimits":
        """The limits from the environment, the defaults where a variable is unset."""
        votes = rate_limit_from_env("GAN_STUDIO_VOTE_LIMIT", cls.votes)
        return cls(votes, rate_limit_from_env("GAN_STUDIO_ADDRESS_LIMIT", cls.address_votes))


@dataclass
class ClientLimiter:
    """A sliding-window limit per client key, kept in memory (thread-safe)."""

    limit: RateLimit
    _events: dict[str, deque] = field(default_factory=lambda: defaultdict(deque), init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def allow(self, client: str) -> bool:
        """Count one event for `client` and say whether it is within the limit (refused events are not counted)."""
        now = time.monotonic()
        with self._lock:
            events = self._events[client]
            while events and events[0] <= now - self.limit.seconds:
                events.popleft()
            if len(events) >= self.limit.votes:
                return False
            events.append(now)
            if len(self._events) > 100_000:
                self._forget_idle(now)
            return True

    def _forget_idle(self, now: float) -> None:
        for key in [
            key for key, events in self._events.items() if not events or events[-1] <= now - self.limit.seconds
        ]:
            del self._events[key]
