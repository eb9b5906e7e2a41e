"""The app shell: the operator's flags, models loaded on first use, upload size limit, temporary files cleaned."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import app
from gan import hub
from ui.context import AppContext
from ui.serve import free_port


def test_local_model_folders_are_closed_unless_the_operator_opens_them():
    assert app.context_from_args(app.parse_args(["--device", "cpu"])).allow_local_models is False
    assert app.context_from_args(app.parse_args(["--device", "cpu", "--allow-local-models"])).allow_local_models is True


def test_the_whole_app_builds_without_importing_torch_and_the_first_model_brings_it_in():
    script = (
        "import sys, app; demo, _ = app.build_app(app.context_from_args(app.parse_args([]))); "
        "print('torch' in sys.modules, 'sklearn' in sys.modules, 'matplotlib' in sys.modules); "
        "from colorgan.settings import COLORIZER; COLORIZER.resolve(); print('torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(app.__file__).resolve().parent,
    )
    assert result.stdout.split() == ["False", "False", "False", "True"], result.stderr[-2000:]


def test_every_flag_has_help(capsys):
    with pytest.raises(SystemExit):
        app.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for text in app.SERVE_HELP.values():
        assert " ".join(text.split()) in help_text


@pytest.mark.parametrize(
    ("argv", "sentence"),
    [(["--port", "0"], "--port must be between 1 and 65535"), (["--device", "gpu0"], "is not a torch device")],
)
def test_bad_flags_exit_with_one_sentence(capsys, argv, sentence):
    with pytest.raises(SystemExit):
        app.parse_args(argv)
    error = capsys.readouterr().err
    assert sentence in error and "Traceback" not in error


def test_building_the_whole_app_reads_no_weights(monkeypatch, tmp_path):
    checked = []
    monkeypatch.setattr(hub, "check_size", lambda *args, **kwargs: checked.append(args))
    ctx = AppContext(device="cpu", votes_db=str(tmp_path / "votes.sqlite3"))
    demo, _ = app.build_app(ctx)
    assert checked == [] and ctx.loaded_models() == []
    assert demo.delete_cache == app.DELETE_CACHE == (600, 1800)


def test_an_upload_over_the_file_size_limit_is_refused_and_a_small_one_accepted(tmp_path):
    demo, head = app.build_app(AppContext(device="cpu", votes_db=str(tmp_path / "votes.sqlite3")), tabs=())
    port = free_port()
    app.launch(demo, head, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        url = f"http://127.0.0.1:{port}/gradio_api/upload"
        small = httpx.post(url, files={"files": ("small.png", b"\x89PNG" + b"0" * 1000)}, timeout=30)
        large = httpx.post(url, files={"files": ("large.png", b"0" * (50 * 1024 * 1024 + 1))}, timeout=60)
    finally:
        demo.close()
    assert small.status_code == 200
    assert large.status_code == 413


def test_the_space_preinstalls_the_cpu_build_of_torch_in_the_range_the_app_requires():
    from packaging.requirements import Requirement

    def requirements(path: Path) -> dict[str, Requirement]:
        lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
        return {req.name: req for req in (Requirement(line) for line in lines if line and not line.startswith("-"))}

    root = Path(app.__file__).resolve().parent
    space_first = requirements(root / "pre-requirements.txt")
    assert (
        "--index-url https://download.pytorch.org/whl/cpu" in (root / "pre-requirements.txt").read_text().splitlines()
    )
    assert set(space_first) == {"torch", "torchvision"}
    for name, req in space_first.items():
        assert req.specifier == requirements(root / "requirements.txt")[name].specifier, name


def test_other_hub_repos_and_proxies_are_the_operators_choice():
    config = app.parse_args([])
    assert (config.allow_any_hub_model, config.trusted_proxies) == (False, "")
    config = app.parse_args(["--allow-any-hub-model", "--trusted-proxies", "10.0.0.5"])
    assert app.context_from_args(config).allow_any_hub_model is True and config.trusted_proxies == "10.0.0.5"
