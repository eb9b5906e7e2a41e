"""The hostile visitor's probe: every handler, public or private, called over plain HTTP with bad input.

Each answer is a sentence, and the server log holds no traceback.
"""

from __future__ import annotations

import httpx
import pytest
from tests_data import BOMB_BYTES, call_event

import app
from ui.context import AppContext
from ui.serve import free_port

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
CORRUPT_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00@\x00\x00\x00@\x08\x02\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(scope="module")
def whole_app(tmp_path_factory):
    """The whole app (every tab) served in this process, with its limits."""
    demo, head = app.build_app(
        AppContext(device="cpu", votes_db=str(tmp_path_factory.mktemp("votes") / "votes.sqlite3"))
    )
    port = free_port()
    app.launch(demo, head, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield demo, f"http://127.0.0.1:{port}/gradio_api"
    demo.close()


def fn_index(demo, name: str, nth: int = 0) -> int:
    """The index of the `nth` event whose handler is called `name`."""
    return [index for index, fn in demo.fns.items() if fn.name == name][nth]


def upload(base: str, name: str, content: bytes) -> dict:
    path = httpx.post(f"{base}/upload", files={"files": (name, content)}, timeout=30).json()[0]
    return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def editor_value(file: dict | None) -> dict:
    return {"background": file, "layers": [file] if file else [], "composite": file, "id": None}


def is_sentence(message: dict) -> bool:
    error = (message.get("output") or {}).get("error") or ""
    return not message.get("success") and error.strip().endswith((".", "!")) and len(error.split()) >= 4


def test_bad_input_to_every_handler_is_a_sentence_and_the_log_holds_no_traceback(whole_app, capfd, caplog):

    demo, base = whole_app
    files = {
        kind: upload(base, name, content)
        for kind, name, content in (
            ("corrupt", "corrupt.png", CORRUPT_PNG),
            ("empty", "empty.png", b""),
            ("text", "notes.png", b"just some text\n" * 10),
            ("svg", "drawing.svg", SVG),
            ("bomb", "bomb.png", BOMB_BYTES),
        )
    }
    run, preset = fn_index(demo, "run", 1), fn_index(demo, "apply_preset")
    modes, solver = "Inpaint", "Proposed (contextual + gradient, WGAN critic)"
    probes = {
        f"editor {kind}": (run, [editor_value(file), modes, "inpaint-faces", solver, 20, 1])
        for kind, file in files.items()
    }
    probes |= {
        "editor empty value": (run, [editor_value(None), modes, "inpaint-faces", solver, 20, 1]),
        "mode not a choice": (run, [editor_value(files["corrupt"]), "Destroy", "inpaint-faces", solver, 20, 1]),
        "solver not a choice": (run, [editor_value(files["corrupt"]), modes, "inpaint-faces", "x" * 5000, 20, 1]),
        "preset not a choice": (preset, [editor_value(files["corrupt"]), "nope", 0]),
        "preset on a bomb": (preset, [editor_value(files["bomb"]), "center", 0]),
        "verdicts with a text threshold": (fn_index(demo, "verdicts"), [None, "abc", None]),
        "40 000 forged scores": (
            fn_index(demo, "keep_scores"),
            [[{"image": "x", "score": 1.0, "note": "", "out_of_domain": ""}] * 40_000],
        ),
        "500 forged scores": (
            fn_index(demo, "keep_scores"),
            [[{"image": "x", "score": 1.0, "note": "", "out_of_domain": ""}] * 500],
        ),
        "a forged score that is text": (
            fn_index(demo, "keep_scores"),
            [[{"image": "x", "score": "NaN", "note": "", "out_of_domain": ""}]],
        ),
        "a model name of 100 000 characters": (fn_index(demo, "run"), [None, "m" * 100_000, 256, 1.0]),
    }
    for index, fn in demo.fns.items():  # every example list, at indexes that are not there
        if fn.name in ("load_example", "load_example_input"):
            probes[f"example {index} at 999"] = (index, [999])
            probes[f"example {index} at text"] = (index, ["x"])
    editor_id = next(block._id for block in demo.blocks.values() if type(block).__name__ == "CheckedImageMask")
    sent = {
        kind: httpx.post(
            f"{base}/component_server",
            data={"session_hash": "probe", "component_id": str(editor_id), "fn_name": "accept_blobs", **fields},
            files={"file": ("blob", content)},
            timeout=60,
        )
        for kind, fields, content in (
            ("bomb", {"type": "background", "index": "null", "id": "bomb-value"}, BOMB_BYTES),
            ("no id", {"type": "background", "index": "null"}, CORRUPT_PNG),
            ("bad index", {"type": "layer", "index": "many", "id": "bad-index"}, CORRUPT_PNG),
        )
    }
    blob_value = {**editor_value(None), "id": "bomb-value"}
    probes["editor bomb sent as a blob"] = (run, [blob_value, modes, "inpaint-faces", solver, 20, 1])
    answers = {name: call_event(base, index, data) for name, (index, data) in probes.items()}
    captured = capfd.readouterr()
    not_sentences = {name: message.get("output") for name, message in answers.items() if not is_sentence(message)}
    assert not_sentences == {}
    assert "larger than 16 megapixels" in answers["editor bomb"]["output"]["error"]
    assert "larger than 16 megapixels" in answers["editor bomb sent as a blob"]["output"]["error"]
    assert {response.status_code for response in sent.values()} == {200}  # refused quietly, answered at the event
    assert "not an image that can be read" in answers["editor svg"]["output"]["error"]
    assert "Traceback" not in captured.err + captured.out
    assert "Traceback" not in caplog.text
