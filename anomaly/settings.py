"""What the Anomaly tab shows before any model is loaded: the pipeline, request limits, live-training bounds (no
torch)."""

from gan.shipped import PipelineRef

DETECTOR = PipelineRef("anomaly.detector:Detector", model="anomaly.model:HistoryADModel")
MAX_IMAGES = 16
MAX_TOTAL_PIXELS = 16_000_000
LIVE_MODEL = "live-trained model (this session)"
STEPS_RANGE = (20, 1000)
RECIPE_SIZES = {"quick": (100, 6000), "held-out": (200, 6000), "thorough": (600, 12_000)}  # (WGAN-GP steps, images)
RECIPE_SPLITS = {"quick": "one-class", "held-out": "held-out", "thorough": "held-out"}  # is the chosen class normal?
DEFAULT_RECIPE = "quick"  # 16 px, under half a minute on one CPU thread; held-out: about a minute; thorough: 32 px
TRAIN_IMAGES_RANGE = (500, 20_000)
TEST_IMAGES = 1000


class RequestError(ValueError):
    """A scoring request over the limits; the message says which and what to do."""
