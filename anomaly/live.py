"""Live training for one visitor: a small HistoryAD trained in a worker thread, streaming test-score histograms.

Each run of a `LiveSession` trains in its own temporary folder, deleted when the run ends (finished,
stopped, or its page closed), and draws from the session's own torch.Generator; a stop keeps the
partial model (the critic of the phase that was running), and the finished or partial model scores
images like a shipped one (`session.detector`).
"""

from __future__ import annotations

import copy
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from anomaly.data import AnomalySplit, make_split
from anomaly.detector import Detector
from anomaly.experiment import (
    HistoryADConfig,
    TrainedHistoryAD,
    critic_anomaly_scores,
    historyad_model,
    train_historyad,
)
from anomaly.model import HistoryADModel
from anomaly.scoring import DetectionMetrics, ReferenceScores
from anomaly.settings import (
    DEFAULT_RECIPE,
    LIVE_MODEL,
    RECIPE_SIZES,
    RECIPE_SPLITS,
    STEPS_RANGE,
    TEST_IMAGES,
    TRAIN_IMAGES_RANGE,
)
from gan.task import GanTask
from gan.train import TrainConfig

WORKER_NAME = "historyad-live"
REDRAW_SECONDS = 2.0
PHASES = {"gan": "training the WGAN", "dtv": "fitting D_TV", "done": "done", "stopped": "stopped"}


def running_workers() -> list[threading.Thread]:
    """The live-training worker threads still alive (each stops within a step of its stop flag)."""
    return [thread for thread in threading.enumerate() if thread.name == WORKER_NAME and thread.is_alive()]


class TrainingStopped(Exception):
    """Raised inside the worker when the session asked to stop."""


@dataclass(frozen=True)
class LiveRecipe:
    """How a live run trains: what it calls normal, image size, network width, both phases' lengths and rates.

    `split` is "one-class" (the chosen class is the normal data, the nine others the anomalies) or "held-out" (the
    chosen class is held out of training and is the anomaly). D_TV is fitted against the saved states from
    `late_fraction` of the run on, weighted e^(−βt) with t in epochs (the paper's time weights). Measured choices:
    docs/anomaly.md, "Live training".
    """

    steps: int = 100
    train_images: int = 6000
    split: str = "one-class"
    dtv_steps: int = 30
    content_size: int = 16
    image_size: int = 16
    base_channels: int = 16
    batch_size: int = 32
    lr_generator: float = 2e-4
    lr_critic: float = 2e-4
    snapshots: int = 20
    late_fraction: float = 0.0
    beta: float = 10.0
    dtv_lr: float = 1e-4

    def historyad(self, epochs: float) -> HistoryADConfig:
        """HistoryAD's settings for a WGAN run of `epochs` epochs."""
        return HistoryADConfig(
            base_channels=self.base_channels,
            snapshot_every=max(1, self.steps // self.snapshots),
            alpha=self.late_fraction * epochs,
            beta=self.beta,
            dtv_steps=self.dtv_steps,
            dtv_lr=self.dtv_lr,
            memory_limit_mb=256.0,
        )


HELD_OUT = {"dtv_steps": 2000, "late_fraction": 0.75, "beta": 0.0}  # D_TV against the last quarter's states, at length
RECIPES = {
    "quick": LiveRecipe(*RECIPE_SIZES["quick"], split=RECIPE_SPLITS["quick"]),
    "held-out": LiveRecipe(*RECIPE_SIZES["held-out"], split=RECIPE_SPLITS["held-out"], **HELD_OUT),
    "thorough": LiveRecipe(
        *RECIPE_SIZES["thorough"], split=RECIPE_SPLITS["thorough"], **HELD_OUT, content_size=28, image_size=32
    ),
}


@dataclass
class LiveSettings:
    """What a visitor chooses: a class, the recipe (which says whether that class is the normal data or the anomaly),
    its length and training images."""

    chosen_class: int
    recipe: str = DEFAULT_RECIPE
    steps: int | None = None
    train_images: int | None = None
    dataset: str = "fashion-mnist"

    def __post_init__(self) -> None:
        if self.recipe not in RECIPES:
            raise ValueError(f"Pick one of the recipes: {', '.join(RECIPES)}.")
        base = RECIPES[self.recipe]
        self.steps = base.steps if self.steps is None else self.steps
        self.train_images = base.train_images if self.train_images is None else self.train_images
        for name, (low, high) in (("steps", STEPS_RANGE), ("train_images", TRAIN_IMAGES_RANGE)):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value != value or not low <= value <= high:
                raise ValueError(f"{name.replace('_', ' ').capitalize()} must be a number from {low} to {high}.")
            setattr(self, name, int(value))
        if not 0 <= self.chosen_class <= 9:
            raise ValueError("Pick one of the ten classes.")

    def live_recipe(self) -> LiveRecipe:
        """The chosen recipe at the chosen length and number of training images."""
        return replace(RECIPES[self.recipe], steps=self.steps, train_images=self.train_images)

    @property
    def one_class(self) -> bool:
        """Whether the chosen class is the normal data (else it is held out as the anomaly)."""
        return RECIPES[self.recipe].split == "one-class"

    def data_split(self) -> AnomalySplit:
        """The recipe's split of the dataset around the chosen class, with the tab's seeded test images."""
        limits = {"train_limit": self.train_images, "test_limit": TEST_IMAGES}
        if self.one_class:
            return make_split(self.dataset, normal_classes=[self.chosen_class], **limits)
        return make_split(self.dataset, self.chosen_class, **limits)


@dataclass
class LiveUpdate:
    """One redraw: the phase in plain words, progress, and the current test scores with their metrics."""

    phase: str
    step: int
    total: int
    scores: ReferenceScores
    metrics: DetectionMetrics
    seconds: float = 0.0

    @property
    def finished(self) -> bool:
        """True for the last update of a run (done or stopped)."""
        return self.phase in (PHASES["done"], PHASES["stopped"])

    def message(self) -> str:
        """The status line a person reads."""
        phase = self.phase[0].upper() + self.phase[1:]
        head = f"{phase}: step {self.step} of {self.total}" if not self.finished else phase
        text = (
            f"{head}. AUPRC {self.metrics.auprc:.2f} (chance {self.metrics.anomaly_share:.2f}), AUROC "
            f"{self.metrics.auroc:.2f}."
        )
        if self.finished and self.metrics.below_chance:
            text += (
                " **Below chance:** this model calls the anomalous test images *more* normal than the normal ones "
                "(AUROC under 0.5); train again, or score with a shipped model."
            )
        return text


@dataclass
class LiveSession:
    """One visitor's live training: its random generator, stop flag, the running run's folder, and the model it
    produced."""

    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    seed: int = 0
    threads: int = 1
    run_dir: Path | None = None
    detector: Detector | None = None
    reference: ReferenceScores | None = None
    normal_images: torch.Tensor | None = None

    def __post_init__(self) -> None:
        self.rng = torch.Generator().manual_seed(self.seed)
        self.stop_flag = threading.Event()

    def stop(self) -> None:
        """Ask the running training to stop at its next step (its partial model is kept)."""
        self.stop_flag.set()

    def train(self, split: AnomalySplit, recipe: LiveRecipe, every: int | None = None) -> Iterator[LiveUpdate]:
        """Train on `split` with `recipe` in a fresh temporary folder, yielding updates; the last is done or stopped.

        Updates come every `every` steps of either phase, or every REDRAW_SECONDS when `every` is None.
        """
        self.stop_flag = threading.Event()
        self.run_dir = Path(tempfile.mkdtemp(prefix="historyad-live-"))
        try:
            yield from self._run(split.at_size(recipe.content_size, recipe.image_size), recipe, every)
        finally:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def _run(self, split: AnomalySplit, recipe: LiveRecipe, every: int | None) -> Iterator[LiveUpdate]:
        epochs = recipe.steps * recipe.batch_size * 5 / len(split.train)  # WGAN-GP: n_critic = 5 batches per step
        config = recipe.historyad(epochs)
        train_config = TrainConfig(
            run_dir=str(self.run_dir),
            steps=recipe.steps,
            batch_size=recipe.batch_size,
            lr_generator=recipe.lr_generator,
            lr_critic=recipe.lr_critic,
            log_every=recipe.steps,
            sample_every=recipe.steps,
            eval_every=recipe.steps,
            checkpoint_every=recipe.steps,
            keep_checkpoints=1,
            seed=self.seed,
            device=str(self.device),
            resume=False,
            progress=False,
        )
        runner = _Runner(self, split, config, train_config, every)
        yield from runner.updates()


class _Runner:
    """The worker thread of one run and the queue its updates travel through."""

    def __init__(
        self,
        session: LiveSession,
        split: AnomalySplit,
        config: HistoryADConfig,
        train_config: TrainConfig,
        every: int | None,
    ) -> None:
        self.session, self.split, self.config, self.train_config, self.every = (
            session,
            split,
            config,
            train_config,
            every,
        )
        self.last_redraw = time.monotonic()
        self.test, self.labels = split.test_tensor(), split.test_labels.numpy()
        self.queue: queue.Queue = queue.Queue()
        self.critic: torch.nn.Module | None = None
        self.phase, self.step = "gan", 0

    def _update(self, phase: str, step: int, total: int, scores: torch.Tensor) -> LiveUpdate:
        reference = ReferenceScores.from_labels(scores.numpy(), self.labels)
        return LiveUpdate(PHASES[phase], step, total, reference, reference.metrics())

    def _due(self, step: int) -> bool:
        """A redraw every `every` steps, or (by default) every REDRAW_SECONDS of wall time."""
        if self.every is not None:
            return step % self.every == 0
        if time.monotonic() - self.last_redraw < REDRAW_SECONDS:
            return False
        self.last_redraw = time.monotonic()
        return True

    def _check(self) -> None:
        if self.session.stop_flag.is_set():
            raise TrainingStopped

    def gan_hook(self, step: int, task: GanTask) -> None:
        self.critic, self.step = task.critic, step
        self._check()
        if self._due(step) or step == self.train_config.steps:
            self.queue.put(
                self._update("gan", step, self.train_config.steps, critic_anomaly_scores(task.critic, self.test))
            )

    def dtv_hook(self, step: int, critic: torch.nn.Module, logs: dict[str, float]) -> None:
        self.phase, self.critic, self.step = "dtv", critic, step
        self._check()
        if self._due(step) or step == 1:  # D_TV's start is shown however short its phase
            critic.eval()
            scores = critic_anomaly_scores(critic, self.test)
            critic.train()
            self.queue.put(self._update("dtv", step, self.config.dtv_steps, scores))

    def partial_model(self) -> HistoryADModel | None:
        """The critic of the phase that was running, as a model that scores like a finished one."""
        if self.critic is None:
            return None
        model = historyad_model(self.split, self.config)
        model.critic.load_state_dict(copy.deepcopy(self.critic.state_dict()))
        return model.to(self.session.device).eval()

    def work(self) -> None:
        torch.set_num_threads(self.session.threads)  # process-wide: one thread each lets two runs share two cores
        try:
            trained: TrainedHistoryAD = train_historyad(
                self.split,
                self.config,
                self.train_config,
                self.session.rng,
                gan_hooks=[self.gan_hook],
                on_dtv_step=self.dtv_hook,
            )
            self.finish(trained.model, "done", sum(trained.seconds.values()))
        except TrainingStopped:
            self.finish(self.partial_model(), "stopped", 0.0)
        except Exception as error:  # handed to the consumer, which re-raises it
            self.queue.put(error)

    def finish(self, model: HistoryADModel | None, phase: str, seconds: float) -> None:
        if model is None:
            self.queue.put(None)
            return
        session = self.session
        scores = model.score(self.test)
        total = self.train_config.steps if self.phase == "gan" else self.config.dtv_steps
        update = self._update(phase, total if phase == "done" else self.step, total, scores)
        update.seconds = seconds
        session.detector = Detector(model, LIVE_MODEL, "trained in this session", session.device)
        session.reference = update.scores
        session.normal_images = self.test[torch.from_numpy(self.labels == 0)]
        self.queue.put(update)

    def updates(self) -> Iterator[LiveUpdate]:
        worker = threading.Thread(target=self.work, daemon=True, name=WORKER_NAME)
        worker.start()
        try:
            while True:
                item = self.queue.get()
                if item is None:
                    return
                if isinstance(item, Exception):
                    raise item
                if self.session.stop_flag.is_set() and not item.finished:
                    continue  # no redraw of queued steps after Stop; the stopped update follows
                yield item
                if item.finished:
                    return
        finally:
            self.session.stop_flag.set()
            worker.join(timeout=30)
