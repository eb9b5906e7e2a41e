"""The naturalness tab served on 127.0.0.1: the join/draw/vote/results endpoints, forged and stuffed votes, bad input,
load."""

from __future__ import annotations

import base64
import json
import logging
import os
import random
import sqlite3
import sys
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from naturalness_helpers import METHODS, make_pool

from naturalness.pool import image_id
from naturalness.results import CATCH
from naturalness.store import new_id
from ui.serve import running_app

REPO = Path(__file__).resolve().parent.parent


def serve_naturalness(serve_app, root, vote_limit: str = "", address_limit: str = "1000/60") -> SimpleNamespace:
    """Serve the tab alone on a fresh pool and database under `root`, with the given rate limits."""
    pool = make_pool(root / "pool")
    db = str(root / "votes.sqlite3")
    settings = {
        "GAN_STUDIO_POOL": str(pool.root),
        "GAN_STUDIO_VOTE_LIMIT": vote_limit,
        "GAN_STUDIO_ADDRESS_LIMIT": address_limit,
    }
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
    token = client.predict(api_name="/join")
    drawn = client.predict(token, api_name="/draw")
    assert client.predict(token, api_name="/draw") == drawn
    first = client.predict(token, drawn["ticket"], True, api_name="/vote")
    retry = client.predict(token, drawn["ticket"], False, api_name="/vote")
    assert first["recorded"] is True and first["ticket"] == drawn["ticket"] and first["natural"] is True
    assert retry["recorded"] is False and retry["natural"] is True
    (row,) = [row for row in stored_votes(app.db) if row[0] == drawn["ticket"]]
    assert row[1] == token.split(".")[0] and row[3] == app.pool.by_id[row[2]].method
    with pytest.raises(AppError, match="once your round is over"):
        client.predict(token, api_name="/results")
    client.predict(token, api_name="/finish")
    table = client.predict(token, api_name="/results")
    assert [row["method"] for row in table["methods"]] == list(METHODS)
    assert table["excluded"] == {"too few answers": 1} and "excluded" in table["summary"]


def test_draw_reveals_neither_the_method_nor_the_pool_id(app):
    client = Client(app.url, verbose=False)
    drawn = client.predict(client.predict(api_name="/join"), api_name="/draw")
    text = json.dumps(drawn)
    assert not any(method in text for method in METHODS)
    assert not any(entry.image in text for entry in app.pool.entries)
    png = base64.b64decode(drawn["image"].removeprefix("data:image/png;base64,"))
    assert png.startswith(b"\x89PNG") and image_id(png) not in app.pool.catalog()


@pytest.mark.parametrize(
    "token",
    [new_id(), f"{new_id()}.{new_id()}", "'; DROP TABLE votes; --"],
    ids=["fresh-id", "forged-signature", "sql"],
)
def test_vote_endpoint_refuses_participants_the_server_did_not_issue(app, token):
    client = Client(app.url, verbose=False)
    ticket = client.predict(client.predict(api_name="/join"), api_name="/draw")["ticket"]
    before = len(stored_votes(app.db))
    for endpoint, arguments in (("/draw", (token,)), ("/vote", (token, ticket, True))):
        with pytest.raises(AppError, match="not one this server issued"):
            client.predict(*arguments, api_name=endpoint)
    assert len(stored_votes(app.db)) == before


def test_vote_endpoint_refuses_an_image_never_shown_to_the_participant(app):
    client = Client(app.url, verbose=False)
    alice, mallory = client.predict(api_name="/join"), client.predict(api_name="/join")
    alices = client.predict(alice, api_name="/draw")["ticket"]
    client.predict(mallory, api_name="/draw")
    before = len(stored_votes(app.db))
    for ticket in (alices, new_id(), app.pool.entries[0].image.ljust(32, "0")):
        with pytest.raises(AppError, match="not given to you"):
            client.predict(mallory, ticket, True, api_name="/vote")
    assert len(stored_votes(app.db)) == before


@pytest.mark.parametrize(
    "token, ticket, natural, message",
    [
        (None, "drawn", True, "not one this server issued"),
        (12345, "drawn", True, "not one this server issued"),
        ("x" * 100_000, "drawn", True, "not one this server issued"),
        ("issued", None, True, "ticket is malformed"),
        ("issued", 1.5, True, "ticket is malformed"),
        ("issued", "y" * 100_000, True, "ticket is malformed"),
        ("issued", "drawn", "yes", "yes \\(true\\) or no"),
        ("issued", "drawn", None, "yes \\(true\\) or no"),
        ("issued", "drawn", 0, "yes \\(true\\) or no"),
    ],
    ids=[
        "token-none",
        "token-number",
        "token-100k-chars",
        "ticket-none",
        "ticket-float",
        "ticket-100k-chars",
        "natural-text",
        "natural-none",
        "natural-zero",
    ],
)
def test_vote_endpoint_answers_garbage_with_one_short_sentence_and_one_log_line(
    app, caplog, capfd, token, ticket, natural, message
):
    client = Client(app.url, verbose=False)
    issued = client.predict(api_name="/join")
    drawn = client.predict(issued, api_name="/draw")["ticket"]
    arguments = (issued if token == "issued" else token, drawn if ticket == "drawn" else ticket, natural)
    before = len(stored_votes(app.db))
    with caplog.at_level(logging.INFO, logger="gan_studio.ui"):
        with pytest.raises(AppError, match=message) as refused:
            client.predict(*arguments, api_name="/vote")
    assert len(str(refused.value)) < 400
    assert [record.getMessage().count("\n") for record in caplog.records if record.name == "gan_studio.ui"] == [0]
    assert "Traceback" not in capfd.readouterr().err
    assert len(stored_votes(app.db)) == before


def test_vote_endpoint_refuses_a_flood_from_one_participant(app):
    client = Client(app.url, verbose=False)
    flooder = client.predict(api_name="/join")
    for _ in range(5):
        assert client.predict(flooder, client.predict(flooder, api_name="/draw")["ticket"], True, api_name="/vote")[
            "recorded"
        ]
    with pytest.raises(AppError, match="Too many votes: at most 5 in 60 seconds"):
        client.predict(flooder, client.predict(flooder, api_name="/draw")["ticket"], True, api_name="/vote")
    assert sum(row[1] == flooder.split(".")[0] for row in stored_votes(app.db)) == 5


def test_votes_are_limited_per_address_and_joining_never_locks_a_neighbour_out(serve_app, tmp_path_factory):
    served = serve_naturalness(serve_app, tmp_path_factory.mktemp("naturalness-joins"), address_limit="3/600")
    client = Client(served.url, verbose=False)
    tokens = {client.predict(api_name="/join") for _ in range(40)}
    for token in list(tokens)[:3]:
        ticket = client.predict(token, api_name="/draw")["ticket"]
        assert client.predict(token, ticket, True, api_name="/vote")["recorded"]
    token = list(tokens)[3]
    with pytest.raises(AppError, match="Too many votes from your address: at most 3 in 600 seconds"):
        client.predict(token, client.predict(token, api_name="/draw")["ticket"], True, api_name="/vote")
    assert len(tokens) == 40 and client.predict(api_name="/join") not in tokens


def test_the_served_app_does_not_serve_the_pool_manifest(tmp_path):
    pool = make_pool(tmp_path / "pool")
    manifests = [pool.root / "manifest.json", REPO / "examples" / "naturalness-pool" / "manifest.json"]
    env = {
        "GAN_STUDIO_POOL": str(pool.root),
        "GAN_STUDIO_VOTES_DB": str(tmp_path / "votes.sqlite3"),
        "OMP_NUM_THREADS": "1",
    }
    with running_app(
        [sys.executable, "app.py", "--device", "cpu", "--no-preload", "--port"], timeout=180, env=env
    ) as served:
        served_files = []
        for route in ("file=", "gradio_api/file="):
            for manifest in manifests:
                for path in (
                    str(manifest),
                    os.path.relpath(manifest, REPO),
                    f"{manifest.parent}/images/../manifest.json",
                ):
                    try:
                        with urllib.request.urlopen(served.url + route + path, timeout=30) as response:
                            served_files.append((route + path, response.status))
                    except urllib.error.HTTPError as error:
                        assert error.code in (403, 404)
        assert served_files == []


def test_load_many_concurrent_participants_store_every_vote_exactly_once(serve_app, tmp_path_factory):
    served = serve_naturalness(serve_app, tmp_path_factory.mktemp("naturalness-load"))
    participants, votes_each = 8, 4

    def participant_session(seed: int) -> list[tuple]:
        rng, client = random.Random(seed), Client(served.url, verbose=False)
        token = client.predict(api_name="/join")
        sent = []
        for _ in range(votes_each):
            ticket, natural = client.predict(token, api_name="/draw")["ticket"], rng.random() < 0.5
            assert client.predict(token, ticket, natural, api_name="/vote")["recorded"] is True
            assert client.predict(token, ticket, natural, api_name="/vote")["recorded"] is False
            sent.append((ticket, token.split(".")[0], int(natural)))
        return sent

    with ThreadPoolExecutor(max_workers=participants) as pool:
        sent = [vote for session in pool.map(participant_session, range(participants)) for vote in session]

    stored = stored_votes(served.db)
    assert sorted((vote_id, participant, natural) for vote_id, participant, _, _, natural in stored) == sorted(sent)
    assert len(sent) == participants * votes_each
    catalog = served.pool.catalog()
    assert all(catalog.get(image, CATCH) == method for _, _, image, method, _ in stored)
    assert Counter(method for _, _, _, method, _ in stored)[CATCH] == participants  # each met one catch trial
