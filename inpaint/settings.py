"""What the Inpaint tab shows before any prior is loaded: the pipeline, the solvers and the search defaults (no
torch)."""

from gan.shipped import REPO_ROOT, PipelineRef

EXAMPLES_DIR = REPO_ROOT / "examples" / "inpaint"
"""The Inpaint tab's example images (written by `python -m evaluation.inpaint_examples`)."""
INPAINTER = PipelineRef("inpaint.inference:Inpainter", model="inpaint.prior:InpaintPrior")
SEARCH_ITERATIONS = 100
SEARCH_RESTARTS = 8
"""The tab's and the endpoint's search: 100 Adam steps × 8 restarts fill held-out 200×200 faces 0.6 dB better than
50 × 4 (docs/inpaint.md), in a third of the time of 300 × 8."""
SR_Z_WEIGHT = 1e-3
"""Default lambda of ||z||^2 in the super-resolution objective ||y - A G(z)||^2 + lambda ||z||^2 + alpha (-D)."""

SOLVERS: dict[str, dict[str, str]] = {
    "proposed": {"loss": "contextual"},
    "yeh": {"loss": "yeh"},
    "brgm": {"loss": "brgm"},
    "posterior-mean": {"loss": "brgm", "combine": "mean"},
}
"""The latent-search solvers by name, as `SearchConfig` fields: the loss, and whether the restarts are averaged."""
FILL_DETAILS = {"inpaint-photos": 0.25}
"""Per shipped prior, the share of the fill's own detail the Poisson blend keeps (inpaint.blend: 1 clones G(z*)'s
gradients, 0 is the membrane fill of the hole's border), chosen on validation photos (docs/inpaint.md): the photo
prior's scenes are mostly wrong in their detail, so its fills keep a quarter of it; the face prior's detail is right
(it adds 2 dB over the membrane fill), and it and other priors keep all of it."""
DEFAULT_SOLVER = "proposed"
RECOMMENDED_SOLVERS = {"inpaint-faces": "posterior-mean", "inpaint-photos": "posterior-mean"}
"""Per shipped prior, the solver that measured best on its validation images (docs/inpaint.md); others use
DEFAULT_SOLVER."""


def recommended_solver(prior_name: str | None) -> str:
    """The solver the tab and the `inpaint` endpoint use for `prior_name` unless the user picks another."""
    return RECOMMENDED_SOLVERS.get(prior_name or "", DEFAULT_SOLVER)


def fill_detail(prior_name: str | None) -> float:
    """The share of G(z*)'s detail the Poisson blend keeps for `prior_name` (FILL_DETAILS, else all of it)."""
    return FILL_DETAILS.get(prior_name or "", 1.0)
