"""Hardening against a hostile visitor: body limits, the image editor's header check, input checks, the fair queue."""

from __future__ import annotations

import socket
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import httpx
import pytest
from gradio.components.image_editor import EditorData
from gradio.data_classes import FileData

import app
from ui.components import CheckedImageMask
from ui.context import AppContext
from ui.guards import BODY_BYTES, visitor_key
from ui.serve import free_port

DATA = Path(__file__).resolve().parent / "data"
BOMB = DATA / "bomb-12000x12000.png"


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """The app with no tabs, served on 127.0.0.1 with its limits."""
    demo, head = app.build_app(
        AppContext(device="cpu", votes_db=str(tmp_path_factory.mktemp("votes") / "votes.sqlite3")), tabs=()
    )
    port = free_port()
    app.launch(demo, head, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield port
    demo.close()


def test_the_bomb_fixture_is_a_419_kb_png_of_12000_by_12000_pixels():
    from PIL import Image

    assert 400_000 < BOMB.stat().st_size < 440_000
    with pytest.warns(Image.DecompressionBombWarning), Image.open(BOMB) as image:
        assert image.size == (12000, 12000)


def test_the_editor_refuses_a_12000_pixel_bomb_in_every_slot_from_its_header_with_a_sentence():
    with gr.Blocks():
        editor = CheckedImageMask(type="numpy", image_mode="RGBA")
    payload = EditorData(
        background=FileData(path=str(BOMB)), layers=[FileData(path=str(BOMB))], composite=FileData(path=str(BOMB))
    )
    tracemalloc.start()
    try:
        with pytest.raises(gr.Error, match="larger than 16 megapixels; please downscale it first"):
            editor.preprocess(payload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024  # decoding it as Gradio's ImageMask does takes about 4 GB


def send_headers_only(port: int, path: str, declared: int) -> tuple[str, float]:
    """POST `path` declaring a body of `declared` bytes, send 1 KB of it; the status line and the seconds it took."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n".encode()
            + f"Content-Length: {declared}\r\n\r\n".encode()
            + b"{" * 1024
        )
        status = sock.recv(4096).split(b"\r\n", 1)[0].decode()
    return status, time.perf_counter() - started


def test_a_200_mb_request_body_is_refused_before_it_is_read(bare_app):
    status, seconds = send_headers_only(bare_app, "/gradio_api/queue/join", 200 * 1024 * 1024)
    assert status.endswith("413 Request Entity Too Large") and seconds < 5


def test_a_streamed_body_without_a_length_is_refused_once_it_passes_the_limit(bare_app):
    sent = []

    def chunks():
        for _ in range(64):
            sent.append(1)
            yield b" " * (256 * 1024)

    response = httpx.post(f"http://127.0.0.1:{bare_app}/gradio_api/queue/join", content=chunks(), timeout=30)
    assert response.status_code == 413
    assert BODY_BYTES < 64 * 256 * 1024


def test_a_small_json_request_still_passes_the_body_limit(bare_app):
    response = httpx.post(
        f"http://127.0.0.1:{bare_app}/gradio_api/queue/join",
        json={"data": [], "fn_index": 0, "session_hash": "x"},
        timeout=30,
    )
    assert response.status_code != 413


def test_a_visitor_is_their_address_and_an_ipv6_visitor_their_64_network():
    def Request(host: str) -> SimpleNamespace:  # noqa: N802 -- stands in for a request
        return SimpleNamespace(client=SimpleNamespace(host=host))

    assert visitor_key(Request("203.0.113.7")) == "203.0.113.7"
    assert (
        visitor_key(Request("2001:db8:1:2:3:4:5:6"))
        == visitor_key(Request("2001:db8:1:2:ffff::1"))
        == "2001:db8:1:2::/64"
    )
    assert visitor_key(None) == "unknown"


def test_one_visitor_with_ten_long_searches_queued_leaves_a_slot_for_another_visitors_search(tmp_path):
    import threading

    from tests_data import call_event

    from ui.guards import GuardedBlocks
    from ui.inpaint import SEARCH_QUEUE, SEARCHES_AT_ONCE

    started: dict[str, list[float]] = {}

    def search(who: str, seconds: float) -> str:
        started.setdefault(who, []).append(time.monotonic())
        time.sleep(seconds)
        return who

    with GuardedBlocks() as demo:
        who, seconds, out = gr.Textbox(), gr.Number(), gr.Textbox()
        gr.Button().click(search, [who, seconds], out, concurrency_limit=SEARCHES_AT_ONCE, concurrency_id=SEARCH_QUEUE)
    port = free_port()
    app.launch(demo, "", server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    base = f"http://127.0.0.1:{port}/gradio_api"
    try:
        answers = []

        def attacker_search() -> None:
            try:
                answers.append(call_event(base, 0, ["a", 8], {"X-Forwarded-For": "203.0.113.1"}, timeout=30))
            except (httpx.HTTPError, TimeoutError):  # cut when the server closes
                return

        attacker = [threading.Thread(target=attacker_search, daemon=True) for _ in range(10)]
        for thread in attacker:
            thread.start()
            time.sleep(0.05)
        time.sleep(1.0)
        asked = time.monotonic()
        small = call_event(base, 0, ["b", 0.1], {"X-Forwarded-For": "198.51.100.2"})
    finally:
        demo.close()
    assert small["success"] and started["b"][0] - asked < 5  # the slot the attacker cannot take is free at once
    refused = [answer for answer in answers if answer.get("status") == 400]
    assert len(refused) == 10 - app.SHARES[SEARCH_QUEUE].events
    assert all(
        "already have 3 requests of this kind waiting or running" in answer["output"]["error"] for answer in refused
    )
    assert len(started["a"]) == 1  # while b ran, a held one slot


def test_empty_cache_folders_older_than_the_cache_age_are_removed_and_nothing_else(tmp_path):
    import os

    from ui.guards import remove_empty_folders

    old = time.time() - 3600
    for name in ("old-empty", "old-full", "young-empty", "old-nested/inner"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "old-full" / "kept.png").write_bytes(b"x")
    for name in ("old-empty", "old-full", "old-nested/inner", "old-nested"):
        os.utime(tmp_path / name, (old, old))
    assert remove_empty_folders(tmp_path, older_than_s=1800) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old-full", "old-nested", "young-empty"]


def test_exporting_the_naturalness_table_leaves_no_temporary_folder(tmp_path):
    import tempfile

    from naturalness.results import MethodResult, StudyResults
    from ui.naturalness import export_csv

    def leftovers() -> set:
        return {p.name for p in Path(tempfile.gettempdir()).glob("naturalness-*")}

    before = leftovers()
    paths = [export_csv(StudyResults([MethodResult("real", 3.0, 4.0)], counted=4)) for _ in range(3)]
    assert leftovers() == before
    assert all(Path(path).read_text().splitlines()[1] == "real,3,4,0.750000,0.300642,0.954413" for path in paths)


@pytest.mark.parametrize(
    ("peer", "trusted", "seen"),
    [
        ("203.0.113.9", "", "203.0.113.9"),
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "10.0.0.5", "198.51.100.7"),
        ("10.0.0.9", "10.0.0.0/24", "198.51.100.7"),
    ],
    ids=["visitor-spoofing", "untrusted-proxy", "trusted-proxy", "trusted-range"],
)
def test_a_forwarded_address_is_believed_only_from_a_proxy_the_operator_named(peer, trusted, seen):
    import asyncio

    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    recorded = []

    async def inner(scope, receive, send):
        recorded.append(visitor_key(SimpleNamespace(client=SimpleNamespace(host=scope["client"][0]))))

    middleware = ProxyHeadersMiddleware(inner, trusted_hosts=app.forwarded_allow_ips(trusted))  # what uvicorn builds
    scope = {"type": "http", "client": (peer, 4000), "headers": [(b"x-forwarded-for", b"198.51.100.7")]}
    asyncio.run(middleware(scope, None, None))
    assert recorded == [seen]
