"""Startup time and memory of the app on the current machine, next to a bare Gradio app.

    python -m bench.startup [--device cpu] [--timeout 300] [--repeat 3]

For each app a fresh `python` process is started and timed from its launch: until its port answers (imports, Blocks
built, server up), and until its first API request is served (the pause before idle memory is read not counted; for GAN
Imaging Studio, `colorize` with the default model, which loads in the background from the moment the port answers, the
pause giving it the time a visitor spends on the page, or on that first use with `--no-preload`). Resident memory
(VmRSS, from /proc) is read at idle, once the port answers and before any request; then after the first request; then
after every other endpoint was called once, with the peak (VmHWM). The bare app is a one-textbox `gr.Interface`: what
any Gradio app costs. With --repeat, each row is the median of runs.
"""

from __future__ import annotations

import importlib.metadata
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from gradio_client import Client

from bench.endpoints import REQUESTS
from gan.cli import ConfigError, command_parser, parse_configs, require_at_least_one
from ui.serve import running_app

BARE_APP = (
    "import gradio as gr, sys\n"
    "def echo(text): return text\n"
    "gr.Interface(echo, 'text', 'text', api_name='echo').launch(server_name='127.0.0.1', server_port=int(sys.argv[1]))"
)
SETTLE_S = 2.0  # after the port answers, before idle memory is read


@dataclass
class Startup:
    """What one app start measured."""

    listening_s: float
    first_response_s: float
    idle_rss_mib: float
    first_rss_mib: float
    all_rss_mib: float
    peak_rss_mib: float
    failed: tuple[str, ...] = ()


def memory_mib(pid: int) -> tuple[float, float]:
    """(resident, peak resident) memory of process `pid` in MiB, from /proc."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def measure(
    command: list[str], first: Callable[[Client], None], others: Sequence[Callable[[Client], None]], timeout: float
) -> Startup:
    """Start `command` (which takes a port last), time it, read its memory around the requests, stop it."""
    with running_app(command, timeout) as app:
        listening = time.perf_counter() - app.launched
        time.sleep(SETTLE_S)
        idle, _ = memory_mib(app.process.pid)
        started = time.perf_counter()
        client = Client(app.url, verbose=False)
        first(client)
        first_response = listening + time.perf_counter() - started
        after_first, _ = memory_mib(app.process.pid)
        failed = []
        for request in others:
            try:
                request(client)
            except Exception as error:  # noqa: BLE001 -- reported under the table, the memory row still counts
                failed.append(f"{request.__name__}: {type(error).__name__}: {str(error)[:120]}")
        after_all, peak = memory_mib(app.process.pid)
    return Startup(listening, first_response, idle, after_first, after_all, peak, tuple(failed))


def median(runs: list[Startup]) -> Startup:
    """Each field's median over `runs`."""
    medians = (statistics.median(getattr(run, f.name) for run in runs) for f in fields(Startup) if f.name != "failed")
    return Startup(*medians, failed=tuple(sorted({error for run in runs for error in run.failed})))


@dataclass
class StartupConfig:
    """How the app is started and how often."""

    device: str = "cpu"
    timeout: float = 300
    repeat: int = 1

    def __post_init__(self) -> None:
        require_at_least_one(self, "repeat")
        if not self.timeout > 0:
            raise ConfigError(f"--timeout must be positive, got {self.timeout}.")


HELP = {
    "device": "device the app is started with (app.py --device)",
    "timeout": "seconds to wait for each app to listen",
    "repeat": "starts of each app; the table shows medians",
}


def main(argv: Sequence[str] | None = None) -> None:
    """Print the startup table."""
    parser = command_parser("python -m bench.startup", __doc__, (StartupConfig, HELP), print_config=False)
    args, _ = parse_configs(parser, argv, StartupConfig)
    requests = list(REQUESTS.values())
    apps = {
        "bare Gradio app (one textbox)": (
            [sys.executable, "-c", BARE_APP],
            lambda c: c.predict("hello", api_name="/echo"),
            [],
        ),
        "GAN Imaging Studio": (
            [sys.executable, "app.py", "--device", args.device, "--port"],
            requests[0],
            requests[1:],
        ),
        "GAN Imaging Studio --no-preload": (
            [sys.executable, "app.py", "--device", args.device, "--no-preload", "--port"],
            requests[0],
            requests[1:],
        ),
    }
    rows = {name: median([measure(*spec, args.timeout) for _ in range(args.repeat)]) for name, spec in apps.items()}
    load = os.getloadavg()[0]
    torch_build = importlib.metadata.version(
        "torch"
    )  # +cpu: PyTorch's CPU build (the Space's, pre-requirements.txt); else PyPI's CUDA build
    print(
        f"Startup on {args.device}, torch {torch_build}, {os.cpu_count()} CPU cores (load average {load:.1f}), median "
        f"of {args.repeat}; studio's first request: {next(iter(REQUESTS))}\n"
    )
    print(
        "| app | start to listening (s) | start to first response (s) | resident at idle (MiB) | after first request "
        "(MiB) | after every endpoint (MiB) | peak (MiB) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        print(
            f"| {name} | {row.listening_s:.1f} | {row.first_response_s:.1f} | {row.idle_rss_mib:.0f} | "
            f"{row.first_rss_mib:.0f} | {row.all_rss_mib:.0f} | {row.peak_rss_mib:.0f} |"
        )
    for name, row in rows.items():
        for error in row.failed:
            print(f"{name}: endpoint failed, not counted in memory after every endpoint: {error}")
    bare = rows[next(iter(apps))]
    print()
    for name, studio in list(rows.items())[1:]:
        print(
            f"{name}: first response / bare = {studio.first_response_s / bare.first_response_s:.2f} (target <= 1.3); "
            f"idle memory {studio.idle_rss_mib:.0f} MiB (target < 600)"
        )


if __name__ == "__main__":
    main()
