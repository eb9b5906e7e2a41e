"""What stands between a hostile visitor and the handlers: body limits, checked inputs, a fair queue, visitor keys.

- `BodyLimit`: an ASGI middleware on the app Gradio serves; a request whose body is over its route's limit
  is answered 413 before it is read (by its Content-Length, or as soon as a streamed body passes the limit).
- `GuardedBlocks`: a `gr.Blocks` whose inputs are checked before any handler runs: whatever a client sends
  that a component cannot take (a value not among a radio's choices, an example index out of range, a
  malformed file payload) becomes one sentence for the user and one log line, never a traceback.
- `FairQueue`: Gradio's queue with a per-visitor share of the expensive endpoints: a visitor may have at
  most `share` events of such an endpoint queued or running, and never all of its slots at once, so
  another visitor's request starts when the first slot frees.
- `empty_folder_sweeper`: Gradio deletes its old cached files but leaves their (hash-named) folders behind;
  this lifespan removes the empty ones on the same schedule.
- `visitor_key`: who a request comes from, as the limits count them: the client address (an IPv6 address
  by its /64 network), as uvicorn resolves it: X-Forwarded-For is believed only from the proxies the
  deployment names in $FORWARDED_ALLOW_IPS (`python app.py --trusted-proxies`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.queueing import Event, Queue

from ui.components import shorten

log = logging.getLogger("gan_studio.guards")
BODY_BYTES = (
    2 * 1024 * 1024
)  # any request but an upload: JSON of parameters and file references (images go through /upload)
UPLOAD_BODY_BYTES = (
    120 * 1024 * 1024
)  # one upload request: two files at the 50 MB per-file limit, with room for the form
UPLOAD_PATHS = ("/upload", "/component_server")  # file uploads, and the image editor sending its layers
TOO_LARGE = b"Request body too large: at most %d bytes on this route. Upload images through the upload route."
QUEUE_FULL = "The server is busy: {size} requests are waiting. Please try again in a minute."
OVER_SHARE = "You already have {count} requests of this kind waiting or running; please wait until one finishes."


def visitor_key(request: Any) -> str:
    """The address a request comes from (IPv6 by its /64 network); "unknown" without one."""
    client = getattr(request, "client", None)
    host = getattr(client, "host", None)
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return str(host)[:64]
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


class BodyLimit:
    """ASGI middleware: refuse (413) any HTTP request whose body is over its route's limit, before reading it."""

    def __init__(self, app: Any, body_bytes: int = BODY_BYTES, upload_bytes: int = UPLOAD_BODY_BYTES) -> None:
        self.app = app
        self.body_bytes = body_bytes
        self.upload_bytes = upload_bytes
        self._warned_proxy = False

    def limit_for(self, path: str) -> int:
        """The body limit of a route."""
        return self.upload_bytes if path.rstrip("/").endswith(UPLOAD_PATHS) else self.body_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        headers = dict(scope.get("headers") or [])
        self._warn_about_untrusted_proxy(scope, headers)
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(send, limit)
            return
        received = 0
        started = refused = False

        async def counted_receive() -> dict:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # answer now; the route sees the client gone and stops reading
                    refused = True
                    if not started:
                        await self._refuse(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message: dict) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, tracked_send)

    async def _refuse(self, send: Any, limit: int) -> None:
        body = TOO_LARGE % limit
        log.info("refused a request body over %d bytes", limit)
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _warn_about_untrusted_proxy(self, scope: dict, headers: Mapping[bytes, bytes]) -> None:
        forwarded = headers.get(b"x-forwarded-for")
        client = (scope.get("client") or ("", 0))[0]
        if self._warned_proxy or not forwarded or forwarded.decode("latin-1").split(",")[-1].strip() == client:
            return
        self._warned_proxy = True
        log.warning(
            "requests from %s carry X-Forwarded-For, but that proxy is not trusted: every visitor behind it shares one "
            "address for the per-visitor limits; start with --trusted-proxies %s if it is your own proxy",
            client,
            client,
        )


class GuardedBlocks(gr.Blocks):
    """A `gr.Blocks` that answers any input its components cannot take with a sentence, not a traceback."""

    async def preprocess_data(
        self, block_fn: Any, inputs: list[Any], state: Any, explicit_call: bool = False
    ) -> list[Any]:
        """Gradio's preprocessing, with every failure turned into a user error."""
        try:
            return await super().preprocess_data(block_fn, inputs, state, explicit_call)
        except gr.Error as error:
            error.print_exception = False
            log.info("user error in the input of %s: %s", block_fn.name, shorten(error.message))
            raise
        except Exception as error:  # noqa: BLE001 -- anything a client sent that a component refused is a user's mistake
            log.info("refused input to %s: %s: %s", block_fn.name, type(error).__name__, shorten(error))
            raise gr.Error(
                "This request's input is not one the page can send (a value outside the choices, or a damaged file); "
                "please reload the page and try again.",
                print_exception=False,
            ) from None


@dataclass(frozen=True)
class Share:
    """At most `events` events of one visitor queued or running in a concurrency group, `running` of them running."""

    events: int
    running: int


class FairQueue(Queue):
    """Gradio's queue with a size limit (a sentence when full) and per-visitor shares of the expensive groups."""

    shares: Mapping[str, Share] = {}

    @classmethod
    def replacing(cls, queue: Queue, shares: Mapping[str, Share]) -> FairQueue:
        """A fair queue with the settings of `queue` (what `Blocks.queue` made) and these shares."""
        fair = cls(
            live_updates=queue.live_updates,
            concurrency_count=queue.max_thread_count,
            update_intervals=queue.update_intervals,
            max_size=queue.max_size,
            blocks=queue.blocks,
            default_concurrency_limit=queue.default_concurrency_limit,
        )
        fair.shares = dict(shares)
        return fair

    def _running(self, concurrency_id: str) -> Counter:
        return Counter(
            visitor_key(event.request)
            for job in self.active_jobs
            if job
            for event in job
            if event.concurrency_id == concurrency_id
        )

    async def push(self, body: Any, request: Any, username: str | None) -> tuple:
        """Queue an event, unless the queue is full or its visitor has used their share of its group."""
        if self.max_size is not None and len(self) >= self.max_size:
            log.info("queue full (%d events)", len(self))
            return False, QUEUE_FULL.format(size=len(self)), "queue_full"
        fn = self.blocks.fns.get(body.fn_index) if isinstance(body.fn_index, int) else None
        if fn is not None:
            concurrency_id = fn.concurrency_id
            share = self.shares.get(concurrency_id)
            if share is not None:
                visitor = visitor_key(request)
                waiting = self.event_queue_per_concurrency_id.get(concurrency_id)
                queued = sum(visitor_key(event.request) == visitor for event in (waiting.queue if waiting else []))
                count = queued + self._running(concurrency_id)[visitor]
                if count >= share.events:
                    log.info("visitor %s is over its share of %s (%d events)", visitor, concurrency_id, count)
                    return False, OVER_SHARE.format(count=count), "error"
        return await super().push(body, request, username)

    def get_events(self) -> tuple[list[Event], bool, str] | None:
        """The next event: Gradio's choice, but in a shared group the oldest event of a visitor under their share."""
        for concurrency_id, event_queue in self.event_queue_per_concurrency_id.items():
            share = self.shares.get(concurrency_id)
            if share is None or not event_queue.queue:
                continue
            if (
                event_queue.concurrency_limit is not None
                and event_queue.current_concurrency >= event_queue.concurrency_limit
            ):
                continue
            running = self._running(concurrency_id)
            eligible = [event for event in event_queue.queue if running[visitor_key(event.request)] < share.running]
            if eligible:
                event = min(eligible, key=lambda e: running[visitor_key(e.request)])
                event_queue.queue.remove(event)
                return [event], False, concurrency_id
        fair_queues = {
            cid: self.event_queue_per_concurrency_id[cid].queue
            for cid in self.shares
            if cid in self.event_queue_per_concurrency_id
        }
        held = {cid: queue[:] for cid, queue in fair_queues.items()}
        for queue in fair_queues.values():
            queue.clear()
        try:
            return super().get_events()
        finally:
            for cid, events in held.items():
                fair_queues[cid][:0] = events


def remove_empty_folders(root: Path, older_than_s: float) -> int:
    """Remove the empty folders under `root` (deepest first, never `root`) unchanged for `older_than_s`; how many."""
    removed, cutoff = 0, time.time() - older_than_s
    for folder, subfolders, files in os.walk(root, topdown=False):
        path = Path(folder)
        if path == Path(root) or files:
            continue
        try:
            if not any(path.iterdir()) and path.stat().st_mtime < cutoff:
                path.rmdir()
                removed += 1
        except OSError:  # filled or removed meanwhile
            continue
    return removed


def empty_folder_sweeper(root: Callable[[], Path], every_s: float, older_than_s: float) -> Callable[[Any], Any]:
    """A FastAPI lifespan: every `every_s` seconds, remove the empty folders of `root()` older than `older_than_s`."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        async def sweep() -> None:
            while True:
                await asyncio.sleep(every_s)
                folder = root()
                if folder.is_dir():
                    await asyncio.to_thread(remove_empty_folders, folder, older_than_s)

        task = asyncio.create_task(sweep())
        try:
            yield
        finally:
            task.cancel()

    return lifespan
