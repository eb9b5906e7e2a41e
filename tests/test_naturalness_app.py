"""The naturalness tab served on 127.0.0.1: the `vote` and `results` endpoints, bad input, and a load test."""
from __future__ import annotations

import os
import random
import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from naturalness_helpers import METHODS, make_pool

from colorgan.naturalness.store import new_id
from gan.metrics import wilson_interval


def serve_naturalness(serve_app, root, vote_limit: str = "") -> SimpleNamespace:
    """Serve the tab alone on a fresh pool and database under `root`, with the rate limit `vote_limit`."""
    pool = make_pool(root / "pool")
    db = str(root / "votes.sqlite3")
    settings = {"GAN_STUDIO_POOL": str(pool.root), "GAN_STUDIO_VOTE_LIMIT": vote_limit}
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        url = serve_app(tabs=("ui.naturalness",), votes_db=db)
    finally:
        for name, value in previous.items():
            os.environ.pop(name) if value is None else os.environ.__setitem__(name, value)
    return SimpleNamespace(url=url, pool=pool, db=db)


def stored_votes(db: str) -> list[tuple]:
    """(vote_id, participant, image, method, natural) of every row, read straight from SQLite."""
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT vote_id, participant, image, method, natural FROM votes").fetchall()


@pytest.fixture(scope="module")
def app(serve_app, tmp_path_factory):
    return serve_naturalness(serve_app, tmp_path_factory.mktemp("naturalness-api"), vote_limit="5/60")


def test_vote_endpoint_stores_a_vote_once_and_results_count_it(app):
    client = Client(app.url, verbose=False)
    participant, entry = new_id(), app.pool.entries[0]
    vote_id = new_id()
    first = client.predict(participant, entry.image, True, 1500, vote_id, api_name="/vote")
    retry = client.predict(participant, entry.image, True, 1500, vote_id, api_name="/vote")
    double = client.predict(participant, entry.image, False, 20, "", api_name="/vote")
    assert first == {"recorded": True, "vote_id": vote_id, "image": entry.image, "natural": True}
    assert retry["recorded"] is False and double["recorded"] is False and double["natural"] is True
    assert [row[:3] for row in stored_votes(app.db) if row[1] == participant] == [(vote_id, participant, entry.image)]
    results = {row["method"]: row for row in client.predict(api_name="/results")}
    assert list(results) == list(METHODS)
    assert results[entry.method]["natural"] >= 1


@pytest.mark.parametrize(
    "participant, image, message",
    [
        ("12345", None, "participant id is malformed"),
        ("'; DROP TABLE votes; --", None, "participant id is malformed"),
        (None, "0123456789abcdef", "not in the test pool"),
    ],
)
def test_vote_endpoint_refuses_bad_votes_with_a_clear_message(app, participant, image, message):
    client = Client(app.url, verbose=False)
    before = len(stored_votes(app.db))
    with pytest.raises(AppError, match=message):
        client.predict(participant or new_id(), image or app.pool.entries[1].image, True, 800, "", api_name="/vote")
    assert len(stored_votes(app.db)) == before


def test_vote_endpoint_refuses_a_flood_from_one_participant(app):
    client, flooder = Client(app.url, verbose=False), new_id()
    for entry in app.pool.entries[:5]:
        assert client.predict(flooder, entry.image, True, 300, "", api_name="/vote")["recorded"]
    with pytest.raises(AppError, match="Too many votes: at most 5 in 60 seconds"):
        client.predict(flooder, app.pool.entries[5].image, True, 300, "", api_name="/vote")
    assert sum(row[1] == flooder for row in stored_votes(app.db)) == 5
    assert client.predict(new_id(), app.pool.entries[5].image, True, 300, "", api_name="/vote")["recorded"]


def test_load_many_concurrent_participants_store_every_vote_exactly_once(serve_app, tmp_path_factory):
    served = serve_naturalness(serve_app, tmp_path_factory.mktemp("naturalness-load"))
    participants, votes_each = 8, 4

    def participant_session(seed: int) -> list[tuple]:
        rng, client, participant = random.Random(seed), Client(served.url, verbose=False), new_id()
        sent = []
        for entry in rng.sample(served.pool.entries, votes_each):
            vote_id, natural = new_id(), rng.random() < 0.5
            receipt = client.predict(participant, entry.image, natural, rng.randint(800, 6000), vote_id, api_name="/vote")
            assert receipt["recorded"] is True
            assert client.predict(participant, entry.image, natural, 100, vote_id, api_name="/vote")["recorded"] is False
            sent.append((vote_id, participant, entry.image, entry.method, int(natural)))
        return sent

    with ThreadPoolExecutor(max_workers=participants) as pool:
        sent = [vote for session in pool.map(participant_session, range(participants)) for vote in session]

    assert sorted(stored_votes(served.db)) == sorted(sent)
    assert len(sent) == participants * votes_each
    expected = Counter()
    for _, _, _, method, natural in sent:
        expected[method, "natural"] += natural
        expected[method, "votes"] += 1
    table = Client(served.url, verbose=False).predict(api_name="/results")
    for row in table:
        natural, votes = expected[row["method"], "natural"], expected[row["method"], "votes"]
        assert (row["natural"], row["votes"]) == (natural, votes)
        assert (row["wilson_low"], row["wilson_high"]) == pytest.approx(wilson_interval(natural, votes))
