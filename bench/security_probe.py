"""The hostile visitor's probe against a served app: what each attack costs the server, and how it is answered.

    python -m bench.security_probe [--searches 10] [--iterations 1000] [--restarts 16]

Starts `python app.py --device cpu --no-preload` on a free port with its log in a file, then measures the
server process's memory (VmRSS, and its peak VmHWM, from /proc) around: the 12000×12000 PNG bomb
(tests/data) in the three slots of the Inpaint editor; a request declaring a 200 MB body; ten 50 MB
bodies; then the fair queue: one visitor queues `--searches` maximum-cost latent searches, another
visitor a small one, and the seconds until the small one starts are printed. The two visitors are told
apart by X-Forwarded-For, which the app believes from 127.0.0.1 only. Last, the tracebacks in the log.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from gan.cli import command_parser, parse_configs
from ui.serve import REPO_ROOT, free_port, wait_until_listening

sys.path.insert(0, str(REPO_ROOT / "tests"))
from tests_data import BOMB_BYTES, call_event  # noqa: E402 -- the probe's committed bomb and raw queue call

PHOTO = REPO_ROOT / "examples" / "inpaint" / "utkface-test-0003.png"
MASK = REPO_ROOT / "examples" / "api" / "center-mask-64.png"


@dataclass
class ProbeConfig:
    """What the probe sends."""

    searches: int = 10
    iterations: int = 1000
    restarts: int = 16


HELP = {
    "searches": "maximum-cost searches the first visitor queues",
    "iterations": "iterations of each of those searches (the UI's maximum: 1000)",
    "restarts": "restarts of each of those searches (the UI's maximum: 16)",
}


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def upload(base: str, name: str, content: bytes) -> dict:
    """Upload a file as the page does; its FileData."""
    path = httpx.post(f"{base}/upload", files={"files": (name, content)}, timeout=120).json()[0]
    return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def declared_body(port: int, megabytes: int) -> tuple[str, float]:
    """POST queue/join declaring a body of `megabytes`, send 1 KB; the status line and the seconds to get it."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        head = (
            "POST /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {megabytes << 20}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"{" * 1024)
        status = sock.recv(4096).split(b"\r\n", 1)[0].decode()
    return status, time.perf_counter() - started


def fn_indexes() -> dict[str, int]:
    """Event index by handler name (the module's name first: `ui.inpaint.run`), as the served app numbers them."""
    import app
    from ui.context import AppContext

    demo, _ = app.build_app(AppContext(device="cpu", votes_db=str(Path(tempfile.mkdtemp()) / "v.sqlite3")))
    indexes: dict[str, int] = {}
    for index, fn in demo.fns.items():
        indexes.setdefault(f"{getattr(fn.fn, '__module__', '')}.{fn.name}", index)
    return indexes


def main(argv: list[str] | None = None) -> None:
    """Run the probe and print what each attack cost."""
    parser = command_parser("python -m bench.security_probe", __doc__, (ProbeConfig, HELP), print_config=False)
    config, _ = parse_configs(parser, argv, ProbeConfig)
    indexes = fn_indexes()
    port, log_path = free_port(), Path(tempfile.mkdtemp(prefix="probe-")) / "server.log"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "OMP_NUM_THREADS": "1",
        "GAN_STUDIO_VOTES_DB": str(log_path.parent / "votes.sqlite3"),
    }
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "app.py", "--device", "cpu", "--no-preload", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_listening(f"http://127.0.0.1:{port}/", server, 300)
        base = f"http://127.0.0.1:{port}/gradio_api"
        print(f"started: RSS {memory_mb(server.pid)[0]:.0f} MiB")

        bomb = upload(base, "bomb.png", BOMB_BYTES)
        editor = {"background": bomb, "layers": [bomb], "composite": bomb, "id": None}
        solver = "Proposed (contextual + gradient, WGAN critic)"
        rss, peak = memory_mb(server.pid)
        answer = call_event(base, indexes["ui.inpaint.run"], [editor, "Inpaint", "inpaint-faces", solver, 20, 1])
        after, after_peak = memory_mb(server.pid)
        print(
            f"editor bomb (12000x12000 in 3 slots): peak +{after_peak - peak:.0f} MiB, RSS +{after - rss:.0f} MiB; "
            f"answer: {answer['output'].get('error')!r}"
        )

        rss, peak = memory_mb(server.pid)
        status, seconds = declared_body(port, 200)
        after, after_peak = memory_mb(server.pid)
        print(f"200 MB body: {status!r} in {seconds:.3f} s; peak +{after_peak - peak:.0f} MiB")
        big = "m" * (50 << 20)
        answers = [
            httpx.post(
                f"{base}/queue/join", json={"data": [None, big], "fn_index": 0, "session_hash": "x"}, timeout=120
            ).status_code
            for _ in range(10)
        ]
        after2, after2_peak = memory_mb(server.pid)
        print(
            f"ten 50 MB bodies: statuses {sorted(set(answers))}; RSS +{after2 - after:.0f} MiB, "
            f"peak +{after2_peak - after_peak:.0f} MiB"
        )

        photo, mask = upload(base, "face.png", PHOTO.read_bytes()), upload(base, "mask.png", MASK.read_bytes())
        search = indexes["ui.inpaint.inpaint_endpoint"]
        answers = []

        def attacker_search() -> None:
            data = [photo, mask, "inpaint-faces", config.iterations, config.restarts]
            try:
                answers.append(call_event(base, search, data, {"X-Forwarded-For": "203.0.113.1"}, 3600))
            except httpx.HTTPError:  # the server stops when the probe ends
                return

        for _ in range(config.searches):
            threading.Thread(target=attacker_search, daemon=True).start()
            time.sleep(0.1)
        time.sleep(5)
        asked = time.perf_counter()
        small = call_event(
            base, search, [photo, mask, "inpaint-faces", 20, 1], {"X-Forwarded-For": "198.51.100.2"}, 600
        )
        done = time.perf_counter() - asked
        time.sleep(1)
        refused = [a for a in answers if a.get("status")]
        print(
            f"fair queue: {len(refused)} of {config.searches} maximum-cost searches refused at the door "
            f"({refused[0]['output']['error'] if refused else '-'}); the other visitor's small search "
            f"{'finished' if small.get('success') else 'failed'} {done:.1f} s after it was sent"
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    text = log_path.read_text()
    print(f"server log: {text.count('Traceback')} tracebacks, {len(text.splitlines())} lines ({log_path})")


if __name__ == "__main__":
    main()
