"""The Naturalness tab: the blind yes/no test of ChromaGAN's paper, with live per-method results.

Participants get an anonymous random id kept in their browser (BrowserState), see one image at a
time (never its method), answer with the buttons or the keys y / n, and the table below counts the
share judged natural per method with a 95 % Wilson interval. API: `vote` and `results`.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import gradio as gr
from PIL import Image

from colorgan.naturalness.pool import default_pool_dir, for_display
from colorgan.naturalness.results import HEADERS, table_rows, write_results_csv
from colorgan.naturalness.store import VoteError, is_valid_id, new_id
from colorgan.naturalness.study import NaturalnessStudy
from ui.context import AppContext

QUESTION = "Does this image have a natural colorization?"
INSTRUCTIONS = (
    "### Naturalness test\n"
    "You will see color photos one at a time: some are real, some were colorized from black and white by a model. "
    f"For each, answer **{QUESTION}** with **Yes** or **No** (or the keys **y** and **n**). "
    "Do not dwell on details: about five seconds an image is enough. Images are small photos shown enlarged, "
    "so judge the colors, not the sharpness. Your answers are stored with an anonymous random id, nothing else."
)
MIN_ANSWER_S = 0.3
VOTE_CONCURRENCY = 8
REFRESH_S = 5.0
HEAD = """
<script>
document.addEventListener("keydown", (event) => {
  if (event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
  const id = {y: "naturalness-yes", n: "naturalness-no"}[event.key.toLowerCase()];
  if (!id) return;
  const element = document.getElementById(id);
  const button = element && (element.tagName === "BUTTON" ? element : element.querySelector("button"));
  if (!button || button.offsetParent === null || button.disabled) return;
  event.preventDefault();
  button.click();
});
</script>
"""


def _progress(study: NaturalnessStudy, participant: str) -> str:
    done = len(study.store.seen_images(participant))
    return f"**{QUESTION}** (image {done + 1} of at most {len(study.pool.sources())})"


def _show(study: NaturalnessStudy, participant: str, entry) -> tuple:
    """Outputs for showing `entry` (or the end of the test when it is None)."""
    if entry is None:
        done = "You have judged every photo in the pool. Thank you!"
        return None, gr.update(value=None), done, gr.update(visible=False)
    image = for_display(Image.open(study.pool.path(entry.image)))
    current = {"image": entry.image, "shown_at": time.monotonic()}
    return current, image, _progress(study, participant), gr.update(visible=True)


def _export_csv(study: NaturalnessStudy) -> str:
    path = Path(tempfile.mkdtemp(prefix="naturalness-")) / "naturalness-results.csv"
    with open(path, "w", newline="") as handle:
        write_results_csv(study.results(), handle)
    return str(path)


def build_tab(ctx: AppContext) -> None:
    """The Naturalness tab."""
    with gr.Tab("Naturalness"):
        gr.Markdown(INSTRUCTIONS)
        pool_dir = default_pool_dir()
        try:
            study = NaturalnessStudy.open(pool_dir, ctx.votes_db)
        except FileNotFoundError as error:
            gr.Markdown(f"**The test is not set up on this server.** {error}")
            return
        _build_voting(study)


def _build_voting(study: NaturalnessStudy) -> None:
    participant = gr.BrowserState("", storage_key="gan-studio-naturalness-participant")
    current = gr.State(None)
    start = gr.Button("Start the test", variant="primary")
    with gr.Column(visible=False) as voting:
        progress = gr.Markdown(elem_id="naturalness-progress")
        image = gr.Image(type="pil", format="png", interactive=False, show_label=False, buttons=[], height=220, elem_id="naturalness-image")
        with gr.Row():
            yes = gr.Button("Yes (y)", variant="primary", elem_id="naturalness-yes")
            no = gr.Button("No (n)", elem_id="naturalness-no")
    gr.Markdown("### Results so far\nShare of images judged natural per method, with the 95 % Wilson score interval.")
    results = gr.Dataframe(value=table_rows(study.results()), headers=HEADERS, interactive=False, elem_id="naturalness-results")
    with gr.Row():
        export = gr.Button("Export the table as CSV", size="sm")
        csv_file = gr.File(label="CSV", visible=False, interactive=False)

    def begin(participant_id: str):
        if not is_valid_id(participant_id):
            participant_id = new_id()
        shown = _show(study, participant_id, study.draw(participant_id))
        return participant_id, *shown, gr.update(visible=False)

    def answer(natural: bool, participant_id: str, shown: dict | None):
        if not shown:
            raise gr.Error("Press “Start the test” first.")
        elapsed = time.monotonic() - shown["shown_at"]
        if elapsed < MIN_ANSWER_S:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            study.vote(participant_id, shown["image"], natural, round(1000 * elapsed))
            following = study.draw(participant_id)
        except VoteError as error:
            raise gr.Error(str(error)) from error
        return *_show(study, participant_id, following), table_rows(study.results())

    private = {"api_visibility": "private", "concurrency_limit": VOTE_CONCURRENCY}
    start.click(begin, inputs=participant, outputs=[participant, current, image, progress, voting, start], **private)
    answer_outputs = [current, image, progress, voting, results]
    yes.click(lambda p, s: answer(True, p, s), inputs=[participant, current], outputs=answer_outputs, **private)
    no.click(lambda p, s: answer(False, p, s), inputs=[participant, current], outputs=answer_outputs, **private)
    gr.Timer(REFRESH_S).tick(lambda: table_rows(study.results()), outputs=results, api_visibility="private")
    export.click(lambda: gr.update(value=_export_csv(study), visible=True), outputs=csv_file, api_visibility="private")

    def vote(participant: str, image: str, natural: bool, response_ms: int, vote_id: str = "") -> dict:
        """Store one answer (natural = yes) for a pool image; a repeat returns recorded=false and the first answer."""
        try:
            receipt = study.vote(participant, image, natural, response_ms, vote_id or None)
        except VoteError as error:
            raise gr.Error(str(error)) from error
        return {"recorded": receipt.recorded, "vote_id": receipt.vote.vote_id, "image": image, "natural": receipt.vote.natural}

    def results_table() -> list[dict]:
        """Per method: votes judged natural, all votes, share and 95 % Wilson interval (fractions)."""
        return [
            {"method": r.method, "natural": r.natural, "votes": r.votes, "share": r.share, "wilson_low": r.interval[0], "wilson_high": r.interval[1]}
            for r in study.results()
        ]

    gr.api(vote, api_name="vote", queue=False)
    gr.api(results_table, api_name="results", queue=False)
