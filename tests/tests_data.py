"""The probe's committed files, read once, and a raw call of an event over Gradio's queue."""

import json
import time
import uuid
from pathlib import Path

import httpx

DATA = Path(__file__).resolve().parent / "data"
BOMB = DATA / "bomb-12000x12000.png"
BOMB_BYTES = BOMB.read_bytes()


def call_event(base: str, index: int, data: list, headers: dict | None = None, timeout: float = 60) -> dict:
    """Join the queue with raw `data` for event `index` (as any HTTP client can); its process_completed message;
    a refusal at the door as {"success": False, "output": {"error": text}, "status": code}."""
    session = uuid.uuid4().hex
    body = {"data": data, "fn_index": index, "session_hash": session, "trigger_id": None}
    joined = httpx.post(f"{base}/queue/join", json=body, headers=headers or {}, timeout=timeout)
    if joined.status_code != 200:
        is_json = joined.headers.get("content-type", "").startswith("application/json")
        return {
            "success": False,
            "output": {"error": joined.json().get("detail") if is_json else joined.text},
            "status": joined.status_code,
        }
    deadline = time.monotonic() + timeout
    with httpx.stream("GET", f"{base}/queue/data", params={"session_hash": session}, timeout=timeout) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
            if time.monotonic() > deadline:
                break
    raise TimeoutError(f"no answer from event {index}")
