"""Concurrent users on every endpoint at once: everything is served, nothing fails, nobody starves."""
from __future__ import annotations

from bench.load import run_load


def test_concurrent_requests_to_every_endpoint_are_all_served_without_errors(serve_app):
    results = run_load(serve_app(), seconds=8, clients=2)
    for name, load in results.items():
        assert load.errors == [], f"{name}: {load.errors[:3]}"
        assert load.latencies_s, f"{name} served nothing while the others were busy"
