"""The Anomaly tab: a model's score histograms, scoring your images at a threshold you move, and live training.

Widgets only: models come from `ctx.load(DETECTOR, name)`, scores, metrics and thresholds from
`anomaly`, live training from `anomaly.live.LiveSession` (one per browser session; each run in its own
temporary folder, deleted when the run ends). Every event the page triggers is also reachable over HTTP (Gradio serves
them all), so each one checks its inputs against the UI's own bounds; only `anomaly_score` is a
documented API endpoint. The handlers import the capability when they first run, so building the tab
imports no torch.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import math
from typing import TYPE_CHECKING

import gradio as gr

from anomaly.settings import (
    DEFAULT_RECIPE,
    DETECTOR,
    LIVE_MODEL,
    MAX_IMAGES,
    MAX_TOTAL_PIXELS,
    RECIPE_SIZES,
    RECIPE_SPLITS,
    STEPS_RANGE,
    TRAIN_IMAGES_RANGE,
)
from gan.classes import FASHION_MNIST_CLASSES
from ui.components import checked_records, user_errors
from ui.context import AppContext

if TYPE_CHECKING:
    from anomaly.detector import Detector
    from anomaly.live import LiveSession
    from anomaly.scoring import ReferenceScores

log = logging.getLogger(__name__)
LIVE_RUNS = 2  # live trainings running at once across all visitors; more wait in the queue
LIVE_THREADS = 2  # torch threads of a live run (process-wide): a 2-core Space's own default
RECIPE_INFO = (
    "quick: one class is the normal data, 16×16 images, under half a minute on a CPU; held-out: one class is the "
    "anomaly (harder), 16×16, about a minute; thorough: held-out at 32×32 like the shipped models, minutes"
)
TABLE_CSS = (
    "table { width: 100%; } td img { vertical-align: middle; margin-right: 6px; } "
    ".anomaly-score, .anomaly-verdict { white-space: nowrap; }"
)
USER_ERRORS = (
    ValueError,
    TypeError,
)  # the capability's user errors (WeightsError, DataError, InvalidImageError, RequestError) are ValueErrors
INTRO = (
    "### Anomaly detection with HistoryAD (Chatillon & Ballester 2020)\n"
    "A WGAN-GP is trained on normal images only; its saved generator states, early ones weighted more, "
    "make a distribution of 'almost normal' images, and a total-variation critic D_TV learns to tell "
    "normal images from them. **Score = −D_TV(x): higher means more anomalous.** Each shipped model names "
    "its data and its anomaly (a held-out class or another dataset). Images of other sizes or colors are "
    "converted like the training data (grayscale, resized, padded), with a note; an image unlike the "
    f"training data is flagged as out of domain. Up to {MAX_IMAGES} images and {MAX_TOTAL_PIXELS // 1_000_000} "
    "megapixels in all per request."
)


NO_IMAGES = "No image to score yet: upload one or more, and press Score once each file's name shows in the box."


def _error(error: Exception) -> gr.Error:
    log.info("anomaly tab: %s", str(error)[:200])
    return gr.Error(str(error)[:300], print_exception=False)


def _paths(files) -> list[str]:
    return [item if isinstance(item, str) else getattr(item, "name", None) or item["path"] for item in files or []]


class AnomalyTab:
    """The tab's handlers, bound to the app's context (device, model cache)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def detector(self, name: str | None, live: LiveSession | None) -> Detector:
        """The live model when picked (and trained), else a shipped model or Hub repo through the app's cache."""
        if name == LIVE_MODEL:
            if live is None or live.detector is None:
                raise ValueError(
                    "No model has been trained live in this session yet; press Train first or pick a shipped model."
                )
            return live.detector
        return self.ctx.load(DETECTOR, name)

    def view(self, name: str | None, live: LiveSession | None) -> tuple:
        """The picked model's test-score histograms, metrics, threshold slider and precision/recall."""
        from anomaly.plots import score_histograms
        from anomaly.scoring import threshold_view

        try:
            if name == LIVE_MODEL and live is not None and live.reference is not None:
                reference, title, source = live.reference, f"{LIVE_MODEL}", "trained in this session"
                metrics = reference.metrics()
            else:
                detector = self.detector(name, live)
                found = detector.reference()
                reference, metrics, source = found.scores, found.metrics, str(detector.source)
                title = f"{detector.name}: anomaly = {detector.model.anomalous_name}"
        except USER_ERRORS as error:
            raise _error(error) from None
        slider = threshold_view(reference)
        summary = (
            f"**{title}** ({source}). On {len(reference.normal) + len(reference.anomalous)} test images: AUPRC "
            f"**{metrics.auprc:.2f}** (chance = anomaly share {metrics.anomaly_share:.2f}), AUROC {metrics.auroc:.2f}."
            + (
                " **Below chance:** this model ranks the anomalies as *more* normal than the normal images."
                if metrics.below_chance
                else ""
            )
        )
        figure = score_histograms(reference.normal, reference.anomalous, title, threshold=slider.value)
        return (
            figure,
            summary,
            gr.update(minimum=slider.minimum, maximum=slider.maximum, step=slider.step, value=slider.value),
            reference,
            _threshold_text(reference, slider.value),
        )

    def rescore(self, name: str | None, files: list | None, live: LiveSession | None) -> list[dict] | None:
        """The uploaded images scored by the picked model (None when there are none), so no score outlives its model."""
        return with_thumbnails(self.score(name, files, live), files) if files else None

    def score(self, name: str, files: list | None, live: LiveSession | None = None) -> list[dict]:
        """Score uploaded images with a model: a list of {image, score, note, out_of_domain}, higher score = more
        anomalous."""
        if not files:  # also what a press during an upload sends
            raise _error(ValueError(NO_IMAGES))
        try:
            result = self.detector(name, live)(_paths(files))
        except USER_ERRORS as error:
            raise _error(error) from None
        return [
            {"image": s.image, "score": round(s.score, 4), "note": s.note, "out_of_domain": s.out_of_domain}
            for s in result.scores
        ]

    def train(self, chosen: str, recipe: str, steps: float, train_images: float, live: LiveSession | None):
        """Train a small HistoryAD on Fashion-MNIST in a folder of its own, redrawing the histograms; Stop keeps the
        partial model."""
        from anomaly.live import LiveSession, LiveSettings
        from anomaly.plots import score_histograms
        from gan.data import DataError
        from gan.device import pick_device

        try:
            if chosen not in FASHION_MNIST_CLASSES:
                raise ValueError("Pick one of the ten Fashion-MNIST classes.")
            settings = LiveSettings(FASHION_MNIST_CLASSES.index(chosen), recipe, steps, train_images)
            split = settings.data_split()
        except DataError as error:
            sentence = f"Live training needs Fashion-MNIST. {error} The shipped models still score images."
            raise _error(ValueError(sentence)) from None
        except USER_ERRORS as error:
            raise _error(error) from None
        if live is None:
            live = LiveSession(device=pick_device(self.ctx.device), threads=LIVE_THREADS)
        one_class = settings.one_class
        normal, anomalies = (repr(chosen), "the other nine classes") if one_class else ("normal", repr(chosen))
        yield (
            None,
            f"Training on {len(split.train)} {normal} images; the anomalies are {anomalies}: starting.",
            gr.skip(),
            live,
        )
        for update in live.train(split, settings.live_recipe()):
            figure = score_histograms(
                update.scores.normal,
                update.scores.anomalous,
                update.phase.capitalize(),
                normal_label=chosen if one_class else "normal",
                anomalous_label="other classes" if one_class else chosen,
            )
            if not update.finished:
                yield figure, update.message(), gr.skip(), gr.skip()
                continue
            note = f" The {'partial ' if update.phase == 'stopped' else ''}model is now selected for scoring."
            yield (
                figure,
                update.message() + note,
                gr.update(choices=[*DETECTOR.shipped_models(), LIVE_MODEL], value=LIVE_MODEL),
                live,
            )

    def talk(self, name: str, live: LiveSession | None) -> tuple:
        """The talk's figures for the picked model: scores along a latent interpolation, and under Gaussian noise."""
        from anomaly.plots import talk_figures

        try:
            detector = self.detector(name, live)
            normal = live.normal_images if name == LIVE_MODEL else detector.reference().normal_images
        except USER_ERRORS as error:
            raise _error(error) from None
        figures = talk_figures(detector.model, normal)
        return figures.interpolation, figures.interpolation_images, figures.noise


def _threshold_text(reference: ReferenceScores, threshold: float) -> str:
    from anomaly.scoring import precision_recall

    precision, recall = precision_recall(reference, threshold)
    return (
        f"At threshold **{threshold:.3g}** (score above it = anomalous): precision **{precision:.2f}**, recall "
        f"**{recall:.2f}** on the test images."
    )


def thumbnail(path: str | None, size: int = 48) -> str:
    """A small PNG of the image at `path` as a data URI ('' when it cannot be read)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.thumbnail((size, size))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="PNG")
    except (OSError, ValueError, TypeError, Image.DecompressionBombError):
        return ""
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def score_table(scored: list[dict] | None, threshold: float) -> str:
    """The scored images as an HTML table: thumbnail and name, score, verdict at `threshold`, notes."""
    if not scored:
        return ""
    rows = []
    for entry in scored:
        anomalous = entry["score"] > threshold
        image = f'<img src="{entry["thumbnail"]}" alt="" width="48"> ' if entry.get("thumbnail") else ""
        rows.append(
            "<tr>"
            f'<td class="anomaly-image">{image}{html.escape(entry["image"])}</td>'
            f'<td class="anomaly-score">{entry["score"]:.3f}</td>'
            f'<td class="anomaly-verdict">{"<b>anomalous</b>" if anomalous else "normal"}</td>'
            f"<td>{html.escape(entry.get('out_of_domain') or '') or '—'}</td>"
            f"<td>{html.escape(entry.get('note') or '') or '—'}</td>"
            "</tr>"
        )
    head = "".join(f"<th>{name}</th>" for name in ("image", "score", "verdict", "out of domain", "conversion"))
    caption = f"<caption>Verdicts at threshold {threshold:.3g} (score above it = anomalous)</caption>"
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def verdicts(reference: ReferenceScores | None, threshold: float, scored: list[dict] | None) -> tuple:
    """Redraw the histograms with the user's images marked; the verdict of each at the threshold."""
    from anomaly.plots import score_histograms

    if reference is None:
        return None, "Pick a model to see its histograms.", ""
    if not isinstance(threshold, (int, float)) or not math.isfinite(threshold):
        raise gr.Error("The threshold must be a finite number.", print_exception=False)
    marks = [entry["score"] for entry in scored or []]
    figure = score_histograms(reference.normal, reference.anomalous, "", marks, threshold)
    return figure, _threshold_text(reference, threshold), score_table(scored, threshold)


def with_thumbnails(scored: list[dict] | None, files: list | None) -> list[dict] | None:
    """The API's score entries with a thumbnail of each image added (for the table only)."""
    if not scored:
        return scored
    paths = _paths(files)
    paths += [None] * (len(scored) - len(paths))
    return [{**entry, "thumbnail": thumbnail(path)} for entry, path in zip(scored, paths)]


def class_label(recipe: str) -> str:
    """What the class picker means under a recipe: the normal data (one-class) or the anomaly (held-out)."""
    if RECIPE_SPLITS.get(recipe) == "one-class":
        return "Fashion-MNIST class: the normal data (the other nine are the anomalies)"
    return "Fashion-MNIST class held out (the anomaly)"


def recipe_settings(recipe: str) -> tuple:
    """The sliders set to a recipe's own length and number of training images, and the class picker's meaning."""
    if recipe not in RECIPE_SIZES:
        raise gr.Error(f"Pick one of the recipes: {', '.join(RECIPE_SIZES)}.", print_exception=False)
    steps, images = RECIPE_SIZES[recipe]
    return steps, images, gr.update(label=class_label(recipe))


SCORE_FIELDS = {"image": (str,), "score": (int, float), "note": (str,), "out_of_domain": (str, type(None))}


@user_errors
def keep_scores(result: object, files: list | None) -> list[dict] | None:
    """The scores shown to the user, kept as the session's state for the verdicts: checked, as the page sends them,
    with a thumbnail of each image added for the table."""
    return with_thumbnails(checked_records(result, "The scores", MAX_IMAGES, SCORE_FIELDS), files)


def stop_live(live: LiveSession | None) -> str:
    """Ask this session's live training to stop at its next step; the partial model is kept."""
    if live is not None:
        live.stop()
    return "Stopping at the next step; the partial model will be kept."


def end_session(live: LiveSession | None) -> None:
    """When the browser session ends: stop its training (the run's folder goes with the run)."""
    if live is not None:
        live.stop()


def build_tab(ctx: AppContext) -> None:
    """The Anomaly tab."""
    tab = AnomalyTab(ctx)
    models = DETECTOR.shipped_models()
    with gr.Tab("Anomaly"):
        gr.Markdown(INTRO)
        live = gr.State(None, delete_callback=end_session)
        reference = gr.State(None)
        scored = gr.State(None)
        model_name = gr.Dropdown(
            models,
            value=models[0] if models else None,
            allow_custom_value=True,
            label="Model (shipped or a Hub repo id)",
        )
        summary = gr.Markdown(elem_id="anomaly-summary")
        histogram = gr.Plot(label="Anomaly scores of the test images")
        threshold = gr.Slider(-1, 1, value=0, label="Threshold: a score above it is called anomalous")
        threshold_text = gr.Markdown(elem_id="anomaly-threshold")
        with gr.Row():
            files = gr.Files(file_types=["image"], label=f"Your images (up to {MAX_IMAGES})", elem_id="anomaly-files")
            score_button = gr.Button("Score my images", variant="primary")
        verdict_table = gr.HTML(elem_id="anomaly-verdicts", css_template=TABLE_CSS)
        scores_json = gr.JSON(visible=False)  # the output of the `anomaly_score` endpoint; people read the table

        with gr.Accordion("Live training (a small HistoryAD trained here, in under a minute by default)", open=False):
            with gr.Row():
                chosen_class = gr.Dropdown(
                    list(FASHION_MNIST_CLASSES), value="trouser", label=class_label(DEFAULT_RECIPE)
                )
                recipe = gr.Radio(list(RECIPE_SIZES), value=DEFAULT_RECIPE, label="Recipe", info=RECIPE_INFO)
                default_steps, default_images = RECIPE_SIZES[DEFAULT_RECIPE]
                steps = gr.Slider(
                    *STEPS_RANGE, value=default_steps, step=10, label="WGAN-GP steps", elem_id="anomaly-steps"
                )
                train_images = gr.Slider(
                    *TRAIN_IMAGES_RANGE, value=default_images, step=500, label="Normal training images"
                )
            with gr.Row():
                train_button = gr.Button("Train", variant="primary", elem_id="anomaly-train")
                stop_button = gr.Button("Stop", variant="stop", elem_id="anomaly-stop")
            live_status = gr.Markdown(elem_id="anomaly-live-status")
            live_plot = gr.Plot(label="Test scores while training")

        with gr.Accordion("The talk's figures for the picked model", open=False):
            figures_button = gr.Button("Draw")
            interpolation_plot = gr.Plot(label="Latent interpolation")
            interpolation_strip = gr.Gallery(label="G((1−t)z1 + t z2)", columns=12, height=140)
            noise_plot = gr.Plot(label="Scores under Gaussian noise")

        view_outputs = [histogram, summary, threshold, reference, threshold_text]
        verdict_inputs, verdict_outputs = [reference, threshold, scored], [histogram, threshold_text, verdict_table]

        def rescored(view):  # after a model's histograms: the uploaded images scored again by it, never a stale score
            return view.success(tab.rescore, [model_name, files, live], [scored], api_visibility="private").success(
                verdicts, verdict_inputs, verdict_outputs, api_visibility="private"
            )

        rescored(gr.on(None, tab.view, [model_name, live], view_outputs, api_visibility="private"))
        threshold.release(verdicts, verdict_inputs, verdict_outputs, api_visibility="private")
        score_button.click(tab.score, [model_name, files, live], [scores_json], api_name="anomaly_score").success(
            keep_scores, [scores_json, files], [scored], api_visibility="private"
        ).then(verdicts, verdict_inputs, verdict_outputs, api_visibility="private")
        # preprocess=False: values reach `LiveSettings` as sent, so text, NaN or None in a number get its sentence, not
        # Gradio's generic error.
        rescored(
            train_button.click(
                tab.train,
                [chosen_class, recipe, steps, train_images, live],
                [live_plot, live_status, model_name, live],
                api_visibility="private",
                concurrency_limit=LIVE_RUNS,
                concurrency_id="anomaly-live",
                preprocess=False,
            ).then(tab.view, [model_name, live], view_outputs, api_visibility="private")
        )
        recipe.change(recipe_settings, [recipe], [steps, train_images, chosen_class], api_visibility="private")
        stop_button.click(stop_live, [live], [live_status], api_visibility="private")
        figures_button.click(
            tab.talk,
            [model_name, live],
            [interpolation_plot, interpolation_strip, noise_plot],
            api_visibility="private",
        )
