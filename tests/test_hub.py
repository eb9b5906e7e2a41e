"""Weights: where they come from (WeightsSource), what a visitor may name, sizes checked before building, pinned
uploads."""

import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import huggingface_hub.constants
import pytest
import torch
from inpaint_helpers import tiny_prior

from colorgan.models import ChromaGANGenerator
from gan import hub
from gan.card import ModelCard
from gan.hub import WeightsError, check_size, fetch, publish, save_model, warm_start

CARD = ModelCard(name="tiny", task="a test model", summary="a test model", training_data="none", metrics={"psnr": 24.5})
PINNED = "0123456789abcdef0123456789abcdef01234567"  # the revision bundled_weights pins
LATER = "89abcdef0123456789abcdef0123456789abcdef"


def same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def cache_snapshot(cache: Path, repo: str, commit: str, model: torch.nn.Module, ref: str | None = None) -> None:
    """Lay out a Hub snapshot the way huggingface_hub's cache stores downloads."""
    repo_dir = cache / f"models--{repo.replace('/', '--')}"
    save_model(model, repo_dir / "snapshots" / commit, CARD)
    if ref:
        (repo_dir / "refs").mkdir(parents=True, exist_ok=True)
        (repo_dir / "refs" / ref).write_text(commit)


def test_a_folder_round_trip_keeps_every_weight_and_says_it_came_from_a_folder(tmp_path, tiny_model):
    model = tiny_model(1)
    folder = save_model(model, tmp_path / "m", CARD)
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "card.json", "config.json", "model.safetensors"]
    assert "| psnr | 24.5 |" in (folder / "README.md").read_text()
    loaded, source = fetch(ChromaGANGenerator, str(folder))
    assert same_weights(model, loaded)
    assert (source.kind, source.path, source.repo, str(source)) == ("folder", folder, None, "folder m")


def test_a_warm_start_copies_every_fitting_tensor_and_names_those_left_as_initialised(tmp_path):
    folder = save_model(tiny_prior(seed=1), tmp_path / "exported", CARD)
    same_sizes = tiny_prior(seed=2)
    assert warm_start(same_sizes, str(folder)) == []
    assert same_weights(same_sizes, tiny_prior(seed=1))
    gray = tiny_prior(channels=1, seed=3)
    untouched = {key: value.clone() for key, value in gray.state_dict().items()}
    left = warm_start(gray, str(folder))
    exported = tiny_prior(seed=1).state_dict()
    assert 0 < len(left) < len(untouched)
    for key, value in gray.state_dict().items():
        assert torch.equal(value, untouched[key] if key in left else exported[key])


def test_offline_fetch_serves_the_pinned_commit_from_the_hub_cache_not_main(bundled_weights, tmp_path, tiny_model):
    cache_snapshot(tmp_path / "hf-cache", "studio-test/tiny", PINNED, tiny_model(2))
    cache_snapshot(tmp_path / "hf-cache", "studio-test/tiny", LATER, tiny_model(3), ref="main")
    model, source = fetch(ChromaGANGenerator, "tiny")
    assert same_weights(model, tiny_model(2))
    assert (source.kind, source.repo, source.revision) == ("hub", "studio-test/tiny", PINNED)
    assert str(source) == f"hub studio-test/tiny@{PINNED}"


def test_offline_fetch_without_a_cached_copy_falls_back_to_the_bundled_weights(bundled_weights, tiny_model):
    model, source = fetch(ChromaGANGenerator, "tiny")
    assert same_weights(model, tiny_model(0))
    assert (source.kind, source.path, str(source)) == ("bundled", bundled_weights / "tiny", "bundled weights/tiny")


def test_an_unknown_repo_without_bundled_copy_is_a_clear_error(bundled_weights):
    with pytest.raises(WeightsError, match="Could not fetch 'someone/else' from the Hub .* no bundled copy"):
        fetch(ChromaGANGenerator, "someone/else")


@pytest.mark.parametrize("spelling", ["absolute", "dot-dot", "tilde", "dot-slash", "relative"])
def test_without_allow_local_no_folder_of_the_disk_is_loaded_however_it_is_spelled(
    bundled_weights, tmp_path, monkeypatch, spelling, tiny_model
):
    save_model(tiny_model(4), tmp_path / "home" / "m", CARD)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "home" / "sub")
    name = {
        "absolute": str(tmp_path / "home" / "m"),
        "dot-dot": "../m",
        "tilde": "~/m",
        "dot-slash": "./../m",
        "relative": "../sub/../m",
    }[spelling]
    assert fetch(ChromaGANGenerator, name, allow_local=True)[1].kind == "folder"
    with pytest.raises(WeightsError) as refused:
        fetch(ChromaGANGenerator, name, allow_local=False)
    assert str(tmp_path) not in str(refused.value)
    assert "shipped model or a Hub repo id" in str(refused.value) or "Could not fetch" in str(refused.value)


def test_a_folder_name_shaped_like_a_repo_id_is_looked_up_on_the_hub_not_on_disk(
    bundled_weights, tmp_path, monkeypatch, tiny_model
):
    save_model(tiny_model(5), tmp_path / "org" / "m", CARD)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WeightsError, match="Could not fetch 'org/m' from the Hub"):
        fetch(ChromaGANGenerator, "org/m", allow_local=False)


def test_a_hundred_thousand_character_name_is_refused_with_a_short_sentence(bundled_weights):
    with pytest.raises(WeightsError) as refused:
        fetch(ChromaGANGenerator, "x" * 100_000, allow_local=False)
    assert len(str(refused.value)) < 200


@pytest.mark.parametrize("damage", ["no safetensors", "pickle only", "corrupt", "other architecture"])
def test_unusable_folders_are_refused_with_a_sentence_that_names_no_absolute_path(tmp_path, damage, tiny_model):
    folder = save_model(tiny_model(0), tmp_path / "m", CARD)
    if damage in ("no safetensors", "pickle only"):
        (folder / "model.safetensors").unlink()
    if damage == "pickle only":
        torch.save(tiny_model(0).state_dict(), folder / "pytorch_model.bin")
    if damage == "corrupt":
        (folder / "model.safetensors").write_bytes(b"garbage")
    if damage == "other architecture":
        config = json.loads((folder / "config.json").read_text())
        (folder / "config.json").write_text(json.dumps({**config, "base_channels": 6}))
    expected = {
        "no safetensors": "only safetensors",
        "pickle only": "only safetensors",
        "corrupt": "do not fit",
        "other architecture": "do not fit a ChromaGANGenerator",
    }
    with pytest.raises(WeightsError, match=expected[damage]) as refused:
        fetch(ChromaGANGenerator, str(folder))
    assert str(tmp_path) not in str(refused.value)


def test_a_config_with_huge_widths_is_refused_in_a_second_without_allocating_the_model(tmp_path, tiny_model):
    folder = save_model(tiny_model(0), tmp_path / "m", CARD)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(
        json.dumps({**config, "base_channels": 4096, "max_channels": 4096, "global_channels": 4096, "depth": 6})
    )
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(WeightsError, match=r"million parameters; this app loads at most 20 million"):
        fetch(ChromaGANGenerator, str(folder))
    assert time.perf_counter() - started < 5
    assert (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    ) / 1024 < 300  # MiB; the model would take GBs


@pytest.mark.parametrize("change", [{"depth": 10**9}, {"base_channels": -(10**12)}, {"num_classes": list(range(5000))}])
def test_config_numbers_beyond_the_apps_limits_are_refused_before_building(tmp_path, change, tiny_model):
    folder = save_model(tiny_model(0), tmp_path / "m", CARD)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, **change}))
    with pytest.raises(WeightsError, match="beyond this app's limits"):
        check_size(ChromaGANGenerator, folder)


def test_a_config_that_does_not_describe_the_model_is_a_sentence(tmp_path, tiny_model):
    folder = save_model(tiny_model(0), tmp_path / "m", CARD)
    (folder / "config.json").write_text(json.dumps({"base_channels": "wide"}))
    with pytest.raises(WeightsError, match="does not describe a ChromaGANGenerator"):
        fetch(ChromaGANGenerator, str(folder))


def test_check_size_counts_the_parameters_the_config_describes(tmp_path, tiny_model):
    folder = save_model(tiny_model(0), tmp_path / "m", CARD)
    assert check_size(ChromaGANGenerator, folder) == sum(p.numel() for p in tiny_model(0).parameters())


def test_sizing_a_model_loads_no_compiler_so_a_first_request_stays_fast(tmp_path, tiny_model):
    folder = save_model(tiny_model(0), tmp_path / "m", CARD)
    script = (
        "import sys; from colorgan.models import ChromaGANGenerator; from gan.hub import check_size; "
        f"check_size(ChromaGANGenerator, {str(folder)!r}); print('torch._dynamo' in sys.modules)"
    )
    assert (
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        ).stdout.strip()
        == "False"
    )


def test_a_hub_repo_with_an_oversized_weights_file_is_refused_before_downloading(bundled_weights, monkeypatch):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    downloads = []
    huge = [SimpleNamespace(path="model.safetensors", size=10**10)]
    monkeypatch.setattr(hub.HfApi, "get_paths_info", lambda self, repo, paths, revision=None: huge)
    monkeypatch.setattr(hub, "snapshot_download", lambda *args, **kwargs: downloads.append(args))
    with pytest.raises(WeightsError, match="model.safetensors of someone/huge is larger than this app takes"):
        fetch(ChromaGANGenerator, "someone/huge")
    assert downloads == []


@pytest.mark.parametrize(("file", "size"), [("config.json", 65 * 1024), ("README.md", 10**9)])
def test_every_file_of_a_hub_repo_is_size_checked_before_downloading(bundled_weights, monkeypatch, file, size):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    downloads = []
    sizes = {"config.json": 500, "model.safetensors": 10_000, "README.md": 2_000, file: size}
    listing = [SimpleNamespace(path=path, size=size) for path, size in sizes.items()]
    monkeypatch.setattr(hub.HfApi, "get_paths_info", lambda self, repo, paths, revision=None: listing)
    monkeypatch.setattr(hub, "snapshot_download", lambda *args, **kwargs: downloads.append(args))
    with pytest.raises(WeightsError, match=f"The {file} of someone/filler is larger than this app takes"):
        fetch(ChromaGANGenerator, "someone/filler")
    assert downloads == []


def test_a_server_fetches_only_the_repos_of_hub_json_unless_the_operator_allows_any(bundled_weights, monkeypatch):
    downloads = []

    def offline_download(repo, **kwargs):
        downloads.append(repo)
        raise OSError("offline")

    monkeypatch.setattr(hub, "snapshot_download", offline_download)
    with pytest.raises(WeightsError, match="'someone/else' is not one of this server's models"):
        fetch(ChromaGANGenerator, "someone/else", allow_local=False, allow_any_hub=False)
    assert downloads == []
    fetch(ChromaGANGenerator, "studio-test/tiny", allow_local=False, allow_any_hub=False)  # listed: tried, then bundled
    assert downloads == ["studio-test/tiny"]
    with pytest.raises(WeightsError, match="Could not fetch 'someone/else'"):
        fetch(ChromaGANGenerator, "someone/else", allow_local=False, allow_any_hub=True)
    assert downloads[-1] == "someone/else"


def test_repos_outside_hub_json_go_to_a_bounded_cache_least_recently_used_first(tmp_path, tiny_model):
    cache = tmp_path / "visitor-cache"
    for index in range(5):
        cache_snapshot(cache, f"someone/m{index}", f"{index:040x}", tiny_model(0), ref="main")
        time.sleep(0.01)
    dropped = hub.prune_visitor_cache(cache, max_repos=3)
    assert sorted(dropped) == ["someone/m0", "someone/m1"]
    kept = sorted(p.name for p in cache.iterdir() if p.name.startswith("models--"))
    assert kept == ["models--someone--m2", "models--someone--m3", "models--someone--m4"]
    size = sum(f.stat().st_size for f in (cache / "models--someone--m4").rglob("*") if f.is_file())
    hub.prune_visitor_cache(cache, max_repos=3, max_bytes=size)
    assert [p.name for p in cache.iterdir() if p.name.startswith("models--")] == ["models--someone--m4"]


class FakeHfApi:
    """Records what would go to the Hub; each upload is a new commit."""

    uploads: list[dict] = []

    def __init__(self, token=None):
        self.token = token

    def create_repo(self, repo, private=False, exist_ok=False):
        return repo

    def upload_folder(self, repo_id, folder_path, commit_message):
        FakeHfApi.uploads.append({"repo": repo_id, "files": sorted(p.name for p in Path(folder_path).iterdir())})
        return SimpleNamespace(oid=f"{len(FakeHfApi.uploads):040x}")


def test_publishing_returns_the_commit_and_pins_the_model_to_it_in_hub_json(
    bundled_weights, tmp_path, monkeypatch, tiny_model
):
    FakeHfApi.uploads = []
    monkeypatch.setattr(hub, "HfApi", FakeHfApi)
    folder = save_model(tiny_model(6), tmp_path / "new", CARD)
    upload = publish(folder, "studio-test/tiny", model_cls=ChromaGANGenerator, record_as="tiny")
    assert upload.revision == f"{1:040x}" and upload.files == [
        "README.md",
        "card.json",
        "config.json",
        "model.safetensors",
    ]
    assert FakeHfApi.uploads == [{"repo": "studio-test/tiny", "files": upload.files}]
    entry = json.loads((bundled_weights / "hub.json").read_text())["tiny"]
    assert entry == {
        "repo": "studio-test/tiny",
        "revision": upload.revision,
        "class": "colorgan.models:ChromaGANGenerator",
    }
    cache_snapshot(tmp_path / "hf-cache", "studio-test/tiny", upload.revision, tiny_model(6))
    model, source = fetch(ChromaGANGenerator, "tiny")
    assert source.revision == upload.revision and same_weights(model, tiny_model(6))


def test_publish_dry_run_lists_a_complete_folder_and_refuses_an_incomplete_one(tmp_path, tiny_model):
    folder = save_model(tiny_model(0), tmp_path / "m", CARD)
    assert publish(folder, "org/tiny", dry_run=True) == hub.Upload(
        ["README.md", "card.json", "config.json", "model.safetensors"], None
    )
    shutil.copytree(folder, tmp_path / "broken")
    (tmp_path / "broken" / "README.md").unlink()
    with pytest.raises(WeightsError, match="broken is not a complete weights folder: missing README.md"):
        publish(tmp_path / "broken", "org/tiny", dry_run=True)


def test_every_file_fetched_from_the_hub_has_a_size_limit():
    assert set(hub.WEIGHT_FILES) == set(hub.MAX_FILE_BYTES)
