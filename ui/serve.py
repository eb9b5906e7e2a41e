"""Start an app in a child process on a free port: shared by the benchmarks and the tests that need a real server.

The child runs offline, without analytics, and with its own throwaway vote database, so a benchmark
never writes into the user's `votes.sqlite3`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RunningApp:
    """A started app: its URL, its process, and when it was launched (perf_counter seconds)."""

    url: str
    process: subprocess.Popen
    launched: float


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll `url` until it answers 200; fail if the process dies or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with status {process.returncode} before listening")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextmanager
def running_app(
    command: Sequence[str], timeout: float = 300, env: dict[str, str] | None = None
) -> Iterator[RunningApp]:
    """Run `command` with a free port appended, wait until it listens, and stop it on exit."""
    port = free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "GAN_STUDIO_VOTES_DB": str(Path(tempfile.mkdtemp(prefix="bench-votes-")) / "votes.sqlite3"),
        **(env or {}),
    }
    launched = time.perf_counter()
    process = subprocess.Popen(
        [*command, str(port)], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_listening(url, process, timeout)
        yield RunningApp(url, process, launched)
    finally:
        process.terminate()
        process.wait(timeout=30)
