"""Concurrent load on every API endpoint of a running app, for a bounded time.

    python -m bench.load [--url http://127.0.0.1:7860/] [--seconds 60] [--clients 4]

Without --url the app is started on a free port first (`python app.py --device cpu`, offline, with a throwaway vote
database). Every endpoint gets `--clients` simulated users, each its own `gradio_client.Client`, sending requests back
to back until the time is up. The table gives, per endpoint, the requests served, the errors (none are allowed: the exit
status is 1 if any, or if an endpoint served nothing while the others were busy), throughput and latency percentiles.
`.ci/run` runs it for 8 s with 2 users per endpoint, outside the test suite. Colorization keeps answering while
inpainting searches run, because each heavy handler has its own concurrency limit in the queue.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from gradio_client import Client

from bench.endpoints import REQUESTS
from gan.cli import ConfigError, command_parser, parse_configs, require_at_least_one
from ui.serve import running_app


@dataclass
class EndpointLoad:
    """Requests sent to one endpoint and how they went."""

    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def row(self, name: str, seconds: float) -> str:
        """A Markdown table row."""
        lat = np.array(self.latencies_s) if self.latencies_s else np.array([np.nan])
        return (
            f"| {name} | {len(self.latencies_s)} | {len(self.errors)} | {len(self.latencies_s) / seconds:.2f} "
            f"| {np.percentile(lat, 50):.2f} | {np.percentile(lat, 95):.2f} |"
        )


def run_load(
    url: str, seconds: float, clients: int, endpoints: Sequence[str] = tuple(REQUESTS)
) -> dict[str, EndpointLoad]:
    """Send concurrent requests to `endpoints` of the app at `url` for `seconds`; return what happened."""
    results = {name: EndpointLoad() for name in endpoints}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user(name: str) -> None:
        client = Client(url, verbose=False)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                REQUESTS[name](client)
            except Exception as error:  # noqa: BLE001 -- every failure is counted and reported
                with lock:
                    results[name].errors.append(f"{type(error).__name__}: {error}")
            else:
                with lock:
                    results[name].latencies_s.append(time.perf_counter() - started)

    threads = [threading.Thread(target=user, args=(name,)) for name in endpoints for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@dataclass
class LoadConfig:
    """Which app, how long, how many simulated users."""

    url: str = ""
    seconds: float = 60
    clients: int = 4

    def __post_init__(self) -> None:
        require_at_least_one(self, "clients")
        if not self.seconds > 0:
            raise ConfigError(f"--seconds must be positive, got {self.seconds}.")


HELP = {
    "url": "a running app; started here on a free port when empty",
    "seconds": "how long to send requests",
    "clients": "simulated users per endpoint",
}


def table(results: dict[str, EndpointLoad], seconds: float) -> str:
    """The load results as a Markdown table."""
    lines = [
        "| endpoint | requests served | errors | throughput (req/s) | median latency (s) | 95th percentile (s) |",
        "|---|---|---|---|---|---|",
    ]
    return "\n".join(lines + [load.row(name, seconds) for name, load in results.items()])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load, print the table and the errors; exit status 1 if there were any."""
    parser = command_parser("python -m bench.load", __doc__, (LoadConfig, HELP), print_config=False)
    args, _ = parse_configs(parser, argv, LoadConfig)
    if args.url:
        url, results = args.url, run_load(args.url, args.seconds, args.clients)
    else:
        with running_app([sys.executable, "app.py", "--device", "cpu", "--port"]) as app:
            url, results = app.url, run_load(app.url, args.seconds, args.clients)
    print(f"{args.clients} users per endpoint for {args.seconds:.0f} s against {url}\n")
    print(table(results, args.seconds))
    errors = [f"{name}: {error}" for name, load in results.items() for error in load.errors]
    errors += [
        f"{name}: served nothing while the others were busy" for name, load in results.items() if not load.latencies_s
    ]
    for error in errors[:20]:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
