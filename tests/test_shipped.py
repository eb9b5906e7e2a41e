"""Pipelines named by path: each capability's menu and default come from weights/hub.json, and the path imports the real
class."""

from __future__ import annotations

import pytest

from anomaly.settings import DETECTOR
from colorgan.settings import COLORIZER
from gan.shipped import PipelineRef, hub_config
from inpaint.settings import INPAINTER


@pytest.mark.parametrize("ref", [COLORIZER, INPAINTER, DETECTOR], ids=lambda ref: ref.pipeline)
def test_a_pipeline_ref_resolves_to_the_pipeline_whose_model_class_it_names(ref: PipelineRef):
    pipeline = ref.resolve()
    assert pipeline.ref() == ref
    assert ref.shipped_models() == pipeline.shipped_models() and ref.shipped_models()
    assert ref.default_model() == pipeline.default_model() == ref.shipped_models()[0]
    assert all(hub_config()[name]["class"] == ref.model for name in ref.shipped_models())


def test_a_ref_with_no_shipped_model_says_so():
    with pytest.raises(LookupError, match="lists no nowhere:Nothing model"):
        PipelineRef("colorgan.inference:Colorizer", model="nowhere:Nothing").default_model()
