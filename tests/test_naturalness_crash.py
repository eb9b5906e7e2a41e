"""Killing the app (SIGKILL) in the middle of voting loses no acknowledged vote and leaves a readable database."""

from __future__ import annotations

import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

from gradio_client import Client
from naturalness_helpers import make_pool

from naturalness.results import CATCH
from naturalness.store import VoteStore, new_id
from ui.serve import running_app

REPO = Path(__file__).resolve().parent.parent
SERVE = """
import sys, torch
from app import build_app
from ui.context import AppContext
demo, head = build_app(AppContext(device=torch.device("cpu")), ("ui.naturalness",))
demo.queue().launch(server_name="127.0.0.1", server_port=int(sys.argv[1]), quiet=True, head=head)
"""


def test_sigkill_while_voting_loses_no_acknowledged_vote_and_leaves_a_readable_database(tmp_path):
    pool = make_pool(tmp_path / "pool")
    db = tmp_path / "votes.sqlite3"
    env = {
        "GAN_STUDIO_POOL": str(pool.root),
        "GAN_STUDIO_VOTES_DB": str(db),
        "GAN_STUDIO_VOTE_LIMIT": "1000/60",
        "GAN_STUDIO_ADDRESS_LIMIT": "100000/60",
        "PYTHONPATH": str(REPO),
        "OMP_NUM_THREADS": "1",
    }
    with running_app([sys.executable, "-c", SERVE], timeout=90, env=env) as app:
        url = app.url
        clients = [Client(url, verbose=False) for _ in range(4)]
        receipts: list[tuple[str, bool]] = []

        def vote_until_the_app_dies(client: Client) -> None:
            try:
                while True:
                    token = client.predict(api_name="/join")
                    while (ticket := client.predict(token, api_name="/draw")["ticket"]) is not None:
                        receipts.append((ticket, client.predict(token, ticket, True, api_name="/vote")["recorded"]))
            except Exception:  # noqa: BLE001 -- the app was killed mid-request: this voter stops
                return

        threads = [threading.Thread(target=vote_until_the_app_dies, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(receipts) < 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        app.process.send_signal(signal.SIGKILL)
        app.process.wait(timeout=10)
        for thread in threads:
            thread.join(timeout=30)

    assert all(recorded for _, recorded in receipts), "a first vote on a ticket was not recorded"
    acknowledged = [ticket for ticket, _ in receipts]
    assert len(acknowledged) >= 20
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0]: row[1:] for row in connection.execute("SELECT vote_id, image, method FROM votes")}
    assert set(acknowledged) <= set(stored)
    catalog = pool.catalog()
    assert all(catalog.get(image, CATCH) == method for image, method in stored.values())
    store = VoteStore(str(db), catalog)
    assert len(store) == len(stored)
    participant = new_id()
    drawn = store.draw(participant, lambda seen: pool.entries[0].image)
    assert store.record(participant, drawn.ticket, False).recorded
