"""Startup time and memory of the app on the current machine, next to a bare Gradio app.

    python -m bench.startup [--device cpu] [--timeout 300]

For each app a fresh `python` process is started and timed from its launch: until its port answers
(imports, model registry, Blocks built, server up), and until its first API request is served (for
GAN Imaging Studio, `colorize` with the default model, loaded on first use). Then every other endpoint
is called once, so all default models are loaded, and the process's resident memory (VmRSS) and peak
(VmHWM) are read from /proc. The bare app is a one-textbox `gr.Interface`: what any Gradio app costs.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gradio_client import Client

from bench.endpoints import REQUESTS
from bench.serve import running_app

BARE_APP = (
    "import gradio as gr, sys\n"
    "def echo(text): return text\n"
    "gr.Interface(echo, 'text', 'text', api_name='echo').launch(server_name='127.0.0.1', server_port=int(sys.argv[1]))"
)


@dataclass
class Startup:
    """What one app start measured."""

    app: str
    listening_s: float
    first_response_s: float
    rss_mib: float
    peak_rss_mib: float


def memory_mib(pid: int) -> tuple[float, float]:
    """(resident, peak resident) memory of process `pid` in MiB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return tuple(int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))


def measure(name: str, command: list[str], first: Callable[[Client], None], others: Sequence[Callable[[Client], None]], timeout: float) -> Startup:
    """Start `command` (which takes a port last), time it, call the endpoints, read its memory, stop it."""
    with running_app(command, timeout) as app:
        listening = time.perf_counter() - app.launched
        client = Client(app.url, verbose=False)
        first(client)
        first_response = time.perf_counter() - app.launched
        for request in others:
            request(client)
        rss, peak = memory_mib(app.process.pid)
    return Startup(name, listening, first_response, rss, peak)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the startup table."""
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", help="device the app is started with (app.py --device)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for each app to listen")
    args = parser.parse_args(argv)
    requests = list(REQUESTS.values())
    rows = [
        measure("bare Gradio app (one textbox)", [sys.executable, "-c", BARE_APP], lambda c: c.predict("hello", api_name="/echo"), [], args.timeout),
        measure("GAN Imaging Studio", [sys.executable, "app.py", "--device", args.device, "--port"], requests[0], requests[1:], args.timeout),
    ]
    print(f"Startup on {args.device}, {os.cpu_count()} CPU cores; first request: {next(iter(REQUESTS))} for the studio\n")
    print("| app | start to listening (s) | start to first response (s) | resident memory after every endpoint (MiB) | peak (MiB) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.app} | {row.listening_s:.1f} | {row.first_response_s:.1f} | {row.rss_mib:.0f} | {row.peak_rss_mib:.0f} |")


if __name__ == "__main__":
    main()
