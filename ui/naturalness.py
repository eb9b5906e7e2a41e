"""The Naturalness tab: the blind yes/no test of ChromaGAN's paper, and its per-method results after the round.

Participants get a server-signed token kept in their browser (BrowserState), see one image at a time
(never its method, under an opaque name), and answer with the buttons or the keys y / n. They see the
results table (share judged natural per method, 95 % Wilson interval) only once their round is over:
every photo answered, or "Finish and see the results", after which the test takes no more votes from
them, so the live table cannot bias their answers. API: `join`, `draw`, `vote`, `finish` and `results` (the
last with the token of a finished participant). Catch trials, screening and per-address weighing: docs/naturalness.md.
"""

from __future__ import annotations

import base64
import io
import time

import gradio as gr
from PIL import Image

from naturalness.pool import default_pool_dir, for_display
from naturalness.results import HEADERS, StudyResults, table_rows, write_results_csv
from naturalness.store import VoteError
from naturalness.study import NaturalnessStudy, Shown
from ui.components import output_path, user_errors
from ui.context import AppContext
from ui.guards import visitor_key

QUESTION = "Does this image have a natural colorization?"
INSTRUCTIONS = (
    "### Naturalness test\n"
    "You will see color photos one at a time: some are real, some were colorized from black and white by a model. "
    f"For each, answer **{QUESTION}** with **Yes** or **No** (or the keys **y** and **n**). "
    "Do not dwell on details: about five seconds an image is enough. Images are small photos shown enlarged, "
    "so judge the colors, not the sharpness. A few images are colored wrongly on purpose, to check attention. "
    "Stop whenever you like with **Finish and see the results**: the results "
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


def _display(study: NaturalnessStudy, shown: Shown) -> Image.Image:
    return for_display(study.image(shown))


def _png_data_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def export_csv(results: StudyResults) -> str:
    """The table as a CSV file in the swept output folder (ui.components.output_path)."""
    path = output_path("naturalness-results.csv")
    with open(path, "w", newline="") as handle:
        write_results_csv(results.methods, handle)
    return str(path)


def build_tab(ctx: AppContext) -> None:
    """The Naturalness tab."""
    with gr.Tab("Naturalness test"):
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
        image = gr.Image(
            type="pil",
            format="png",
            interactive=False,
            show_label=False,
            buttons=[],
            height=220,
            elem_id="naturalness-image",
        )
        with gr.Row():
            yes = gr.Button("Yes (y)", variant="primary", elem_id="naturalness-yes")
            no = gr.Button("No (n)", elem_id="naturalness-no")
        finish = gr.Button("Finish and see the results", size="sm", elem_id="naturalness-finish")
    with gr.Column(visible=False, elem_id="naturalness-results-view") as after:
        gr.Markdown(THANKS)
        gr.Markdown("Share of images judged natural per method, with the 95 % Wilson score interval.")
        summary = gr.Markdown(elem_id="naturalness-summary")
        results = gr.Dataframe(headers=HEADERS, interactive=False, elem_id="naturalness-results")
        with gr.Row():
            export = gr.Button("Export the table as CSV", size="sm")
            csv_file = gr.File(label="CSV", visible=False, interactive=False)
    refresh = gr.Timer(REFRESH_S, active=False)
    screen = [current, image, progress, voting, start, after, results, summary, refresh]

    def show(participant: str, shown: Shown | None) -> tuple:
        """The screen for `shown`, or the results view once the participant's round is over."""
        if shown is None:
            study.finish(participant)
            table = study.results_for(participant)
            hidden = gr.update(visible=False)
            rows, shown_results = table_rows(table.methods), gr.update(visible=True)
            return None, None, "", hidden, hidden, shown_results, rows, table.summary(), gr.Timer(active=True)
        done = study.answered(participant)
        text = f"**{QUESTION}** (image {done + 1} of at most {len(study.pool.sources())})"
        state = {"ticket": shown.ticket, "shown_at": time.monotonic()}
        hidden = gr.update(visible=False)
        voting_view = gr.update(visible=True)
        unchanged = gr.skip()
        return (
            state,
            _display(study, shown),
            text,
            voting_view,
            hidden,
            hidden,
            unchanged,
            unchanged,
            gr.Timer(active=False),
        )

    @user_errors
    def begin(participant: str, request: gr.Request):
        try:
            study.participant(participant)
        except VoteError:
            participant = study.join()
        return participant, *show(participant, study.draw(participant, visitor_key(request)))

    def answer(natural: bool, participant: str, shown: dict | None, request: gr.Request) -> tuple:
        if not shown:
            raise gr.Error("Press “Start the test” first.", print_exception=False)
        if time.monotonic() - shown["shown_at"] < MIN_ANSWER_S:
            return tuple(gr.skip() for _ in screen)
        study.vote(participant, shown["ticket"], natural, visitor_key(request))
        return show(participant, study.draw(participant, visitor_key(request)))

    @user_errors
    def answer_yes(participant: str, shown: dict | None, request: gr.Request) -> tuple:
        return answer(True, participant, shown, request)

    @user_errors
    def answer_no(participant: str, shown: dict | None, request: gr.Request) -> tuple:
        return answer(False, participant, shown, request)

    @user_errors
    def end_round(participant: str) -> tuple:
        return show(participant, None)

    @user_errors
    def redraw(participant: str) -> tuple:
        table = study.results_for(participant)
        return table_rows(table.methods), table.summary()

    @user_errors
    def export_table(participant: str) -> dict:
        return gr.update(value=export_csv(study.results_for(participant)), visible=True)

    private = {"api_visibility": "private", "concurrency_limit": VOTE_CONCURRENCY}
    start.click(begin, inputs=token, outputs=[token, *screen], **private)
    yes.click(answer_yes, inputs=[token, current], outputs=screen, **private)
    no.click(answer_no, inputs=[token, current], outputs=screen, **private)
    finish.click(end_round, inputs=token, outputs=screen, **private)
    refresh.tick(redraw, inputs=token, outputs=[results, summary], api_visibility="private")
    export.click(export_table, inputs=token, outputs=csv_file, api_visibility="private")


def _build_api(study: NaturalnessStudy) -> None:
    @user_errors
    def join() -> str:
        """Start as a new participant: a server-signed token to draw images and vote with."""
        return study.join()

    @user_errors
    def draw(token: str, request: gr.Request) -> dict:
        """The image to judge next (a PNG data URL) and its ticket; the same one until it is answered; ticket null at
        the end."""
        shown = study.draw(token, visitor_key(request))
        answered = study.answered(token)
        if shown is None:
            return {"ticket": None, "image": None, "answered": answered}
        return {"ticket": shown.ticket, "image": _png_data_url(_display(study, shown)), "answered": answered}

    @user_errors
    def vote(token: str, ticket: str, natural: bool, request: gr.Request) -> dict:
        """Answer the image drawn with `ticket` (natural = yes); a repeat returns recorded=false and the first
        answer."""
        receipt = study.vote(token, ticket, natural, visitor_key(request))
        return {
            "recorded": receipt.recorded,
            "ticket": receipt.vote.vote_id,
            "natural": receipt.vote.natural,
            "response_ms": receipt.vote.response_ms,
        }

    @user_errors
    def finish(token: str) -> str:
        """End this participant's test: no more draws or votes for the token."""
        study.finish(token)
        return "finished"

    @user_errors
    def results_table(token: str) -> dict:
        """The table for a participant whose round is over: per method the (weighted) votes judged natural, all votes,
        share and 95 % Wilson interval (fractions); who is counted and who excluded."""
        table = study.results_for(token)
        rows = [
            {
                "method": r.method,
                "natural": r.natural,
                "votes": r.votes,
                "share": r.share,
                "wilson_low": r.interval[0],
                "wilson_high": r.interval[1],
            }
            for r in table.methods
        ]
        return {"methods": rows, "counted": table.counted, "excluded": table.excluded, "summary": table.summary()}

    gr.api(join, api_name="join", queue=False)
    gr.api(draw, api_name="draw", queue=False)
    gr.api(vote, api_name="vote", queue=False)
    gr.api(finish, api_name="finish", queue=False)
    gr.api(results_table, api_name="results", queue=False)
