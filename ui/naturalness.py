"""The Naturalness tab: the blind yes/no test of ChromaGAN's paper, and its per-method results after the round.

Participants get a server-signed token kept in their browser (BrowserState), see one image at a time
(never its method, under an opaque name), and answer with the buttons or the keys y / n. They see the
results table (share judged natural per method, 95 % Wilson interval) only once their round is over:
every photo answered, or "Finish and see the results", after which the test takes no more votes from
them, so the live table cannot bias their answers. API: `join`, `draw`, `vote` and `results`.
"""
from __future__ import annotations

import base64
import io
import tempfile
import time
from pathlib import Path

import gradio as gr
from PIL import Image

from naturalness.pool import default_pool_dir, for_display
from naturalness.results import HEADERS, table_rows, write_results_csv
from naturalness.store import VoteError
from naturalness.study import NaturalnessStudy, Shown
from ui.components import user_errors
from ui.context import AppContext

QUESTION = "Does this image have a natural colorization?"
INSTRUCTIONS = (
    "### Naturalness test\n"
    "You will see color photos one at a time: some are real, some were colorized from black and white by a model. "
    f"For each, answer **{QUESTION}** with **Yes** or **No** (or the keys **y** and **n**). "
    "Do not dwell on details: about five seconds an image is enough. Images are small photos shown enlarged, "
    "so judge the colors, not the sharpness. Stop whenever you like with **Finish and see the results**: the results "
    "are shown after your round, not during it. Your answers are stored with an anonymous random id, nothing else."
)
THANKS = "### Thank you!\nYour round is over. Here is what everyone has answered so far."
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


def client_of(request: gr.Request | None) -> str:
    """The address a request came from, the key of the per-client limit on new participants."""
    return request.client.host if request is not None and request.client is not None else "unknown"


def _display(study: NaturalnessStudy, shown: Shown) -> Image.Image:
    with Image.open(study.pool.path(shown.entry.image)) as image:
        return for_display(image)


def _png_data_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


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
        _build_api(study)


def _build_voting(study: NaturalnessStudy) -> None:
    token = gr.BrowserState("", storage_key="gan-studio-naturalness-token")
    current = gr.State(None)
    start = gr.Button("Start the test", variant="primary")
    with gr.Column(visible=False) as voting:
        progress = gr.Markdown(elem_id="naturalness-progress")
        image = gr.Image(type="pil", format="png", interactive=False, show_label=False, buttons=[], height=220, elem_id="naturalness-image")
        with gr.Row():
            yes = gr.Button("Yes (y)", variant="primary", elem_id="naturalness-yes")
            no = gr.Button("No (n)", elem_id="naturalness-no")
        finish = gr.Button("Finish and see the results", size="sm", elem_id="naturalness-finish")
    with gr.Column(visible=False, elem_id="naturalness-results-view") as after:
        gr.Markdown(THANKS)
        gr.Markdown("Share of images judged natural per method, with the 95 % Wilson score interval.")
        results = gr.Dataframe(headers=HEADERS, interactive=False, elem_id="naturalness-results")
        with gr.Row():
            export = gr.Button("Export the table as CSV", size="sm")
            csv_file = gr.File(label="CSV", visible=False, interactive=False)
    refresh = gr.Timer(REFRESH_S, active=False)
    screen = [current, image, progress, voting, start, after, results, refresh]

    def show(participant: str, shown: Shown | None) -> tuple:
        """The screen for `shown`, or the results view once the participant's round is over."""
        if shown is None:
            return None, None, "", gr.update(visible=False), gr.update(visible=False), gr.update(visible=True), table_rows(study.results()), gr.Timer(active=True)
        done = study.answered(participant)
        text = f"**{QUESTION}** (image {done + 1} of at most {len(study.pool.sources())})"
        state = {"ticket": shown.ticket, "shown_at": time.monotonic()}
        hidden = gr.update(visible=False)
        return state, _display(study, shown), text, gr.update(visible=True), hidden, hidden, gr.skip(), gr.Timer(active=False)

    @user_errors
    def begin(participant: str, request: gr.Request):
        try:
            study.participant(participant)
        except VoteError:
            participant = study.join(client_of(request))
        return participant, *show(participant, study.draw(participant))

    def answer(natural: bool, participant: str, shown: dict | None) -> tuple:
        if not shown:
            raise gr.Error("Press “Start the test” first.")
        if time.monotonic() - shown["shown_at"] < MIN_ANSWER_S:
            return tuple(gr.skip() for _ in screen)
        study.vote(participant, shown["ticket"], natural)
        return show(participant, study.draw(participant))

    @user_errors
    def answer_yes(participant: str, shown: dict | None) -> tuple:
        return answer(True, participant, shown)

    @user_errors
    def answer_no(participant: str, shown: dict | None) -> tuple:
        return answer(False, participant, shown)

    @user_errors
    def end_round(participant: str) -> tuple:
        study.finish(participant)
        return show(participant, None)

    private = {"api_visibility": "private", "concurrency_limit": VOTE_CONCURRENCY}
    start.click(begin, inputs=token, outputs=[token, *screen], **private)
    yes.click(answer_yes, inputs=[token, current], outputs=screen, **private)
    no.click(answer_no, inputs=[token, current], outputs=screen, **private)
    finish.click(end_round, inputs=token, outputs=screen, **private)
    refresh.tick(lambda: table_rows(study.results()), outputs=results, api_visibility="private")
    export.click(lambda: gr.update(value=_export_csv(study), visible=True), outputs=csv_file, api_visibility="private")


def _build_api(study: NaturalnessStudy) -> None:
    @user_errors
    def join(request: gr.Request) -> str:
        """Start as a new participant: a server-signed token to draw images and vote with."""
        return study.join(client_of(request))

    @user_errors
    def draw(token: str) -> dict:
        """The image to judge next (a PNG data URL) and its ticket; the same one until it is answered; ticket null at the end."""
        shown = study.draw(token)
        answered = study.answered(token)
        if shown is None:
            return {"ticket": None, "image": None, "answered": answered}
        return {"ticket": shown.ticket, "image": _png_data_url(_display(study, shown)), "answered": answered}

    @user_errors
    def vote(token: str, ticket: str, natural: bool) -> dict:
        """Answer the image drawn with `ticket` (natural = yes); a repeat returns recorded=false and the first answer."""
        receipt = study.vote(token, ticket, natural)
        return {"recorded": receipt.recorded, "ticket": receipt.vote.vote_id, "natural": receipt.vote.natural, "response_ms": receipt.vote.response_ms}

    @user_errors
    def finish(token: str) -> str:
        """End this participant's test: no more draws or votes for the token."""
        study.finish(token)
        return "finished"

    def results_table() -> list[dict]:
        """Per method: votes judged natural, all votes, share and 95 % Wilson interval (fractions)."""
        return [
            {"method": r.method, "natural": r.natural, "votes": r.votes, "share": r.share, "wilson_low": r.interval[0], "wilson_high": r.interval[1]}
            for r in study.results()
        ]

    gr.api(join, api_name="join", queue=False)
    gr.api(draw, api_name="draw", queue=False)
    gr.api(vote, api_name="vote", queue=False)
    gr.api(finish, api_name="finish", queue=False)
    gr.api(results_table, api_name="results", queue=False)
