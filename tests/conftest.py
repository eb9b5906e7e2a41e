"""Shared fixtures: devices, deterministic torch, tiny bundled weights, and the app served on 127.0.0.1 for
gradio_client tests."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch

from evaluation.screenshots import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from ui.serve import free_port

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> torch.device:
    """Every device present: the CPU always, CUDA where a GPU is; tests taking it run once per device."""
    return torch.device(request.param)


@pytest.fixture(autouse=True)
def _seeded() -> None:
    torch.manual_seed(0)


TINY_MODEL = {"base_channels": 4, "depth": 2, "max_channels": 8, "global_channels": 8, "num_classes": 3}


@pytest.fixture
def tiny_model() -> Callable[[int], torch.nn.Module]:
    """A factory of tiny ChromaGAN generators: the same seed gives the same weights."""
    from colorgan.models import ChromaGANGenerator

    def make(seed: int) -> torch.nn.Module:
        torch.manual_seed(seed)
        return ChromaGANGenerator(**TINY_MODEL)

    return make


@pytest.fixture
def bundled_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_model) -> Path:
    """A weights/ root (offline, empty Hub cache) whose hub.json ships one model, 'tiny' (seed 0), from Hub repo
    studio-test/tiny."""
    import huggingface_hub.constants

    from gan import hub, shipped
    from gan.card import ModelCard

    root = tmp_path / "weights"
    card = ModelCard(
        name="tiny", task="a test model", summary="a test model", training_data="none", metrics={"psnr": 24.5}
    )
    hub.save_model(tiny_model(0), root / "tiny", card)
    entry = {
        "repo": "studio-test/tiny",
        "revision": "0123456789abcdef0123456789abcdef01234567",
        "class": "colorgan.models:ChromaGANGenerator",
    }
    (root / "hub.json").write_text(json.dumps({"tiny": entry}))
    monkeypatch.setattr(shipped, "WEIGHTS_ROOT", root)
    monkeypatch.setattr(shipped, "HUB_CONFIG", root / "hub.json")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    return root


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Folder for test artefacts (screenshots); git-ignored."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def serve_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Launch the app (or some of its tabs) on 127.0.0.1 and return its URL; closed at session end."""
    from app import build_app, launch
    from ui.context import AppContext

    launched = []

    def serve(tabs: tuple[str, ...] | None = None, votes_db: str | None = None) -> str:
        ctx = AppContext(device="cpu", votes_db=votes_db or str(tmp_path_factory.mktemp("votes") / "votes.sqlite3"))
        demo, head = build_app(ctx, tabs) if tabs else build_app(ctx)
        port = free_port()
        launch(demo, head, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
        launched.append(demo)
        return f"http://127.0.0.1:{port}/"

    yield serve
    for demo in launched:
        demo.close()


@pytest.fixture
def browser_page():
    """A fresh page in Debian's headless Chromium driven by Playwright; skips where either is missing."""
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python package is not installed (pip install playwright)."
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport=VIEWPORT)
        finally:
            browser.close()


@pytest.fixture
def expect(browser_page):
    """Playwright's `expect` assertions, for tests that drive `browser_page` (which skips without Playwright)."""
    from playwright.sync_api import expect

    return expect
