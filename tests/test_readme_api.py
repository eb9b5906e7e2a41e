"""The app's public API: the four endpoints are listed, and the README's gradio_client examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

from gradio_client import Client

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = ("colorize", "inpaint", "anomaly_score", "vote")
README_URL = "http://127.0.0.1:7860/"


def readme_api_examples() -> list[str]:
    """The README's ```python blocks that call the running app with gradio_client (one in each tab's section)."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [block for block in blocks if "gradio_client" in block]


def test_the_api_page_lists_every_endpoint(serve_app):
    named = Client(serve_app(), verbose=False).view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {f"/{name}" for name in ENDPOINTS} <= set(named)


def test_the_readme_shows_a_client_example_for_every_endpoint_and_each_runs(serve_app, monkeypatch):
    examples = readme_api_examples()
    for name in ENDPOINTS:
        assert any(f'api_name="/{name}"' in example for example in examples), f"no README example calls /{name}"
    url = serve_app()
    monkeypatch.chdir(ROOT)
    for example in examples:
        assert README_URL in example
        exec(compile(example.replace(README_URL, url), "README.md", "exec"), {})
