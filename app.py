"""GAN Imaging Studio: one Gradio Blocks app, one tab per capability.

    python app.py [--host 127.0.0.1] [--port 7860] [--share] [--device auto] [--allow-local-models] [--no-preload]

The app starts without torch; once the server listens, each tab's default model loads in the background,
so the first requests are fast. With --no-preload models load only when a request first needs them (the
app then idles without torch: about 160 MiB instead of 330-630 MiB, but the first request waits for it).
Visitors name shipped models and Hub repos only; the operator's --allow-local-models also lets them
name weights folders on this machine's disk. Uploads are limited to MAX_FILE_SIZE each, and Gradio's
temporary files are deleted after DELETE_CACHE[1] s.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from anomaly.settings import DETECTOR
from colorgan.settings import COLORIZER
from gan.cli import command_parser, parse_configs
from inpaint.settings import INPAINTER
from ui import TABS
from ui.context import AppContext
from ui.guards import BodyLimit, FairQueue, GuardedBlocks, Share, empty_folder_sweeper
from ui.inpaint import SEARCH_QUEUE, SEARCHES_AT_ONCE

TITLE = "GAN Imaging Studio"
INTRO = (
    "# GAN Imaging Studio\n"
    "Generative adversarial methods for inverse problems in imaging: colorize old photos, "
    "fill holes, super-resolve, detect anomalies, and judge colorizations blind. "
    "Every model here was trained by us on named open data; see each tab's notes."
)
MAX_FILE_SIZE = "50mb"  # per uploaded file: a 16-megapixel photo (gan.imageio.MAX_PIXELS) as PNG or 8-bit TIFF fits
DELETE_CACHE = (600, 1800)  # every 10 minutes, delete Gradio's temporary files (and folders) older than 30 minutes
CONCURRENCY = 2  # requests of one event handled at once, unless its tab sets its own limit
QUEUE_SIZE = 64  # events waiting at once, all endpoints together; past it a visitor is told the server is busy
# Per visitor (address): at most 3 latent searches queued or running, and never all the search slots at once.
SHARES = {SEARCH_QUEUE: Share(events=3, running=max(1, SEARCHES_AT_ONCE - 1))}
PRELOADED = (
    COLORIZER,
    INPAINTER,
    DETECTOR,
)  # the default model of each tab, loaded in the background at start (--no-preload: not)
DEVICE_NAME = re.compile(r"auto|cpu|mps|cuda(:\d+)?")


def build_app(ctx: AppContext, tabs: Sequence[str] = TABS) -> tuple[gr.Blocks, str]:
    """Build the Blocks app from the tab modules; return it and the HTML head the tabs need."""
    modules = [importlib.import_module(name) for name in tabs]
    with GuardedBlocks(title=TITLE, delete_cache=DELETE_CACHE) as demo:
        gr.Markdown(INTRO)
        for module in modules:
            module.build_tab(ctx)
    head = "\n".join(getattr(module, "HEAD", "") for module in modules)
    return demo, head


@dataclass
class ServeConfig:
    """How `python app.py` serves the app."""

    host: str = "127.0.0.1"
    port: int = 7860
    share: bool = False
    device: str = "auto"
    allow_local_models: bool = False
    allow_any_hub_model: bool = False
    trusted_proxies: str = ""
    preload: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ValueError(f"--port must be between 1 and 65535, not {self.port}.")
        if not DEVICE_NAME.fullmatch(self.device):
            raise ValueError(f"--device {self.device!r} is not a torch device; use auto, cpu, cuda, cuda:1 or mps.")
        if self.device not in (
            "auto",
            "cpu",
        ):  # an accelerator asked for by name: check it is there now (this imports torch)
            from gan.device import pick_device

            pick_device(self.device)


SERVE_HELP = {
    "host": "address to listen on (0.0.0.0 to serve your network)",
    "port": "port to listen on",
    "share": "also open a temporary public gradio.live link",
    "device": "torch device for the models: auto, cpu, cuda, cuda:1, mps",
    "allow_local_models": (
        "let model boxes name weights folders on this machine's disk (off: shipped models and Hub repos only; never on "
        "a public server)"
    ),
    "allow_any_hub_model": "let model boxes name any Hub repo id (off: only the repos of weights/hub.json)",
    "trusted_proxies": (
        "comma-separated addresses or CIDR ranges of your reverse proxies, whose X-Forwarded-For is believed "
        "(default: none but this machine's)"
    ),
    "preload": (
        "load torch and each tab's default model in the background once the server listens (--no-preload: on the first "
        "request that needs them)"
    ),
}


def parse_args(argv: Sequence[str] | None = None) -> ServeConfig:
    """The command line of `python app.py`; a bad value exits with one sentence."""
    parser = command_parser("python app.py", __doc__, (ServeConfig, SERVE_HELP), print_config=False)
    config, _ = parse_configs(parser, argv, ServeConfig)
    return config


def context_from_args(config: ServeConfig) -> AppContext:
    """The tabs' shared context for these command-line settings."""
    return AppContext(
        device=config.device,
        allow_local_models=config.allow_local_models,
        allow_any_hub_model=config.allow_any_hub_model,
    )


def forwarded_allow_ips(trusted_proxies: str) -> str:
    """uvicorn's FORWARDED_ALLOW_IPS for the operator's proxies (addresses or CIDR ranges), this machine always."""
    return ",".join(["127.0.0.1", "::1", *(proxy.strip() for proxy in trusted_proxies.split(",") if proxy.strip())])


def launch(demo: gr.Blocks, head: str, trusted_proxies: str = "", **options) -> None:
    """Serve `demo` with the app's fair queue, body and upload limits; `options` go to `gr.Blocks.launch`.

    `trusted_proxies` (comma-separated addresses) are the proxies whose X-Forwarded-For uvicorn believes;
    by default only this machine's, so a visitor cannot choose the address the per-visitor limits count.
    """
    os.environ["FORWARDED_ALLOW_IPS"] = forwarded_allow_ips(trusted_proxies)
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    demo._queue = FairQueue.replacing(demo._queue, SHARES)
    sweeper = empty_folder_sweeper(lambda: Path(demo.GRADIO_CACHE), *DELETE_CACHE)
    app_kwargs = {"middleware": [Middleware(BodyLimit)], "lifespan": sweeper}
    demo.launch(head=head, max_file_size=MAX_FILE_SIZE, app_kwargs=app_kwargs, **options)


def log_one_line_per_event() -> None:
    """Server log: one line per event (user mistakes included, see ui.components.user_errors), no HTTP chatter."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> None:
    """Start the app."""
    args = parse_args(argv)
    log_one_line_per_event()
    ctx = context_from_args(args)
    demo, head = build_app(ctx)
    options = {"server_name": args.host, "server_port": args.port, "share": args.share, "prevent_thread_lock": True}
    launch(demo, head, args.trusted_proxies, **options)
    if args.preload:
        ctx.preload(PRELOADED)
    demo.block_thread()


if __name__ == "__main__":
    main()
