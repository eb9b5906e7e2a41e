"""Participant tokens of the naturalness test: a random participant id signed with the server's secret.

A token is `<participant>.<signature>`: 32 random hex digits and the first 32 hex digits of their
HMAC-SHA256 under the server secret. Only the server can issue one, so a client cannot make up
participants; the secret comes from $GAN_STUDIO_VOTE_SECRET or is generated once and kept in the vote
database (`VoteStore.secret`), never in the repository.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from naturalness.store import VoteError, new_id

SECRET_VARIABLE = "GAN_STUDIO_VOTE_SECRET"
MIN_SECRET_CHARS = 32
TOKEN_PATTERN = re.compile(r"([0-9a-f]{32})\.([0-9a-f]{32})")
BAD_TOKEN = "Your participant token is not one this server issued; reload the page (or call /join) to get a new one."


def secret_from_env() -> bytes | None:
    """$GAN_STUDIO_VOTE_SECRET as bytes, None when unset; a too short secret raises ValueError with a sentence."""
    text = os.environ.get(SECRET_VARIABLE, "")
    if not text:
        return None
    if len(text) < MIN_SECRET_CHARS:
        raise ValueError(
            f"{SECRET_VARIABLE} must have at least {MIN_SECRET_CHARS} characters (e.g. `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`)."
        )
    return text.encode()


def _signature(secret: bytes, participant: str) -> str:
    return hmac.new(secret, f"naturalness-participant:{participant}".encode(), hashlib.sha256).hexdigest()[:32]


def issue_token(secret: bytes) -> str:
    """A token for a new participant."""
    participant = new_id()
    return f"{participant}.{_signature(secret, participant)}"


def participant_of(secret: bytes, token: object) -> str:
    """The participant id of a token this server issued; VoteError with a sentence for anything else."""
    match = TOKEN_PATTERN.fullmatch(token) if isinstance(token, str) else None
    if match is None or not hmac.compare_digest(match.group(2), _signature(secret, match.group(1))):
        raise VoteError(BAD_TOKEN)
    return match.group(1)
