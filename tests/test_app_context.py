"""The app's model cache: lazy, once per model, thread-safe, bounded, and the one model-name policy for visitors."""

from __future__ import annotations

import threading
import time

import pytest
import torch

from colorgan.models import ChromaGANGenerator
from gan.card import ModelCard
from gan.hub import WeightsError, save_model
from gan.pipeline import Pipeline
from gan.shipped import PipelineRef
from ui.context import AppContext

CARD = ModelCard(name="tiny", task="a test model", summary="a test model", training_data="none")


class TinyPipeline(Pipeline):
    """A pipeline over the tiny bundled generator that counts its loads."""

    model_class = ChromaGANGenerator
    loads: list[str] = []

    @classmethod
    def from_pretrained(cls, name=None, device="cpu", allow_local=True, allow_any_hub=True):
        """Count, wait a little (so concurrent first requests overlap), then load for real."""
        cls.loads.append(name)
        time.sleep(0.05)
        return super().from_pretrained(name, device=device, allow_local=allow_local, allow_any_hub=allow_any_hub)


TINY = PipelineRef(f"{__name__}:TinyPipeline", model="colorgan.models:ChromaGANGenerator")


@pytest.fixture
def ctx(bundled_weights) -> AppContext:
    TinyPipeline.loads = []
    return AppContext(device="cpu", votes_db=":memory:")


def test_a_model_loads_on_first_use_once_and_blank_names_mean_the_default(ctx):
    assert ctx.loaded_models() == []
    first = ctx.load(TINY, "tiny")
    assert ctx.load(TINY, None) is first and ctx.load(TINY, "  tiny ") is first and ctx.load(TINY, "") is first
    assert TinyPipeline.loads == ["tiny"] and ctx.loaded_models() == [("TinyPipeline", "tiny")]
    assert (first.name, first.source.kind, first.device) == ("tiny", "bundled", torch.device("cpu"))


def test_concurrent_first_requests_load_the_model_once(ctx):
    results = []
    threads = [threading.Thread(target=lambda: results.append(ctx.load(TINY, "tiny"))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert TinyPipeline.loads == ["tiny"] and len(results) == 6 and all(r is results[0] for r in results)


def test_a_failed_load_is_a_sentence_and_is_not_cached(ctx):
    for _ in range(2):
        with pytest.raises(WeightsError, match="No model named 'nothing-here'"):
            ctx.load(TINY, "nothing-here")
    assert TinyPipeline.loads == ["nothing-here", "nothing-here"] and ctx.loaded_models() == []


@pytest.mark.parametrize("name", [42, ["tiny"], {"name": "tiny"}])
def test_a_name_that_is_not_text_is_a_sentence(ctx, name):
    with pytest.raises(WeightsError, match="Name a model"):
        ctx.load(TINY, name)


def test_visitors_cannot_name_folders_unless_the_operator_allows_local_models(bundled_weights, tmp_path, tiny_model):
    folder = save_model(tiny_model(7), tmp_path / "on-disk", CARD)
    with pytest.raises(WeightsError, match="Folders of this server cannot be named here") as refused:
        AppContext(device="cpu", votes_db=":memory:").load(TINY, str(folder))
    assert str(tmp_path) not in str(refused.value)
    operator = AppContext(device="cpu", votes_db=":memory:", allow_local_models=True)
    assert operator.load(TINY, str(folder)).source.kind == "folder"


def test_visitors_name_only_the_servers_hub_repos_unless_the_operator_allows_any(bundled_weights):
    with pytest.raises(WeightsError, match="'someone/else' is not one of this server's models"):
        AppContext(device="cpu", votes_db=":memory:").load(TINY, "someone/else")
    assert AppContext(device="cpu", votes_db=":memory:").load(TINY, "studio-test/tiny").source.kind == "bundled"
    with pytest.raises(WeightsError, match="Could not fetch 'someone/else'"):
        AppContext(device="cpu", votes_db=":memory:", allow_any_hub_model=True).load(TINY, "someone/else")


def test_the_least_recently_used_models_are_dropped_beyond_the_parameter_budget(bundled_weights, tmp_path, tiny_model):
    folders = [str(save_model(tiny_model(seed), tmp_path / f"m{seed}", CARD)) for seed in range(3)]
    size = sum(p.numel() for p in tiny_model(0).parameters())
    ctx = AppContext(device="cpu", votes_db=":memory:", allow_local_models=True, cached_parameters=2 * size)
    ctx.load(TINY, folders[0])
    ctx.load(TINY, folders[1])
    ctx.load(TINY, folders[0])
    ctx.load(TINY, folders[2])
    assert ctx.loaded_models() == [("TinyPipeline", folders[0]), ("TinyPipeline", folders[2])]


def test_preloading_loads_each_default_in_the_background_and_logs_a_failure_instead_of_raising(ctx, caplog):
    broken = PipelineRef(f"{__name__}:TinyPipeline", model="nowhere:Nothing")
    ctx.preload([broken, TINY]).join(timeout=60)
    assert ctx.loaded_models() == [("TinyPipeline", "tiny")] and TinyPipeline.loads == ["tiny"]
    assert "preloading" in caplog.text and "lists no nowhere:Nothing model" in caplog.text
