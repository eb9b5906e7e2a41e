"""One representative request per API endpoint of the app, shared by the startup and load benchmarks.

Each request uses what a fresh checkout has: the bundled example photos, the default shipped model of
each tab and an image of the bundled naturalness pool.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from weakref import WeakKeyDictionary

import numpy as np
from gradio_client import Client, handle_file

from anomaly.settings import DETECTOR
from colorgan.settings import COLORIZER

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PHOTO = EXAMPLES / "colorize" / "chelsea.jpg"
INPAINT_PHOTO = EXAMPLES / "inpaint" / "utkface-test-0003.png"
CENTER_MASK = EXAMPLES / "api" / "center-mask-64.png"  # white over the middle quarter of the 64x64 face
CLOTHING = EXAMPLES / "inpaint" / "fashion-mnist-test-0000.png"
VOTES_PER_PARTICIPANT = 20
_participants: WeakKeyDictionary[Client, tuple[str, int]] = WeakKeyDictionary()  # simulated user -> (token, votes cast)


def colorize(client: Client) -> None:
    """Colorize the bundled cat photo with the default model."""
    client.predict(handle_file(str(PHOTO)), COLORIZER.default_model(), 64, api_name="/colorize")


def inpaint(client: Client) -> None:
    """Fill the center of a held-out face with the shipped face prior (a short search)."""
    client.predict(
        handle_file(str(INPAINT_PHOTO)), handle_file(str(CENTER_MASK)), "inpaint-faces", 50, 2, api_name="/inpaint"
    )


def anomaly_score(client: Client) -> None:
    """Score one Fashion-MNIST image with the default anomaly model."""
    client.predict(DETECTOR.default_model(), [handle_file(str(CLOTHING))], api_name="/anomaly_score")


def vote(client: Client) -> None:
    """Draw the next image for this user's participant and answer it, as the Naturalness tab does.

    Each simulated user keeps a participant token and takes a new one after VOTES_PER_PARTICIPANT votes
    (below the default per-participant rate limit) or when it has seen every photo of the pool.
    """
    participant = _participants.get(client)
    if participant is None or participant[1] >= VOTES_PER_PARTICIPANT:
        participant = (client.predict(api_name="/join"), 0)
    token, votes = participant
    drawn = client.predict(token, api_name="/draw")
    if drawn["ticket"] is None:
        _participants.pop(client, None)
        return vote(client)
    client.predict(token, drawn["ticket"], bool(np.random.default_rng().integers(2)), api_name="/vote")
    _participants[client] = (token, votes + 1)


REQUESTS: dict[str, Callable[[Client], None]] = {
    "colorize": colorize,
    "inpaint": inpaint,
    "anomaly_score": anomaly_score,
    "vote": vote,
}
