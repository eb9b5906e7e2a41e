"""`python -m evaluation.inpaint`: every method on held-out images of a folder, in one run, with its scores and
times."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from inpaint_helpers import tiny_prior
from PIL import Image

from evaluation.inpaint import main

PHOTOS = Path(__file__).resolve().parent / "data" / "photos"
METHODS = {
    "latent search, proposed loss",
    "latent search, Yeh et al. loss",
    "latent search, L-BRGM",
    "opencv-telea",
    "opencv-ns",
    "skimage-biharmonic",
}


def evaluate_folder(tmp_path: Path, flags: str) -> dict:
    """Run the evaluation of an untrained RGB prior on the fixture photos with `flags`; its JSON record."""
    tiny_prior(3).save_pretrained(tmp_path / "prior")
    out = tmp_path / "results.json"
    main(["--prior", str(tmp_path / "prior"), "--data", f"folder:{PHOTOS}", *flags.split(), "--out", str(out)])
    return json.loads(out.read_text())


def test_evaluation_scores_the_latent_search_and_the_classical_methods_on_folder_photos(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = evaluate_folder(
        tmp_path,
        "--mask center half --images 3 --iterations 3 --restarts 1 --sr-factor 2 --sr-samples 2 --fill-samples 2",
    )
    assert set(record["results"]) == {"center", "half", "sr-x2"}
    for mask in ("center", "half"):
        assert set(record["results"][mask]) == METHODS | {"latent search, L-BRGM, mean of 2 searches"}
        for scores in record["results"][mask].values():
            assert math.isfinite(scores["psnr"]) and 0 < scores["ssim"] <= 1 and scores["seconds_per_image"] > 0
    assert set(record["results"]["sr-x2"]) == {
        "latent search ×2, proposed",
        "latent search ×2, L-BRGM",
        "latent search ×2, L-BRGM, mean of 2 searches",
        "bicubic ×2",
        "bicubic ×2 + back-projection",
    }
    assert "3 held-out" in capsys.readouterr().out


def test_evaluation_refuses_bad_values_with_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--sr-factor", "3"])
    assert "--sr-factor must be 0 (skip) or one of 2, 4, got 3." in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--fill-detail", "1.5"])
    assert "--fill-detail must be between 0 and 1, got 1.5." in capsys.readouterr().err


def test_evaluation_refuses_a_posterior_mean_of_no_searches(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--fill-samples", "0"])
    assert "--fill-samples must be at least 1, got 0." in capsys.readouterr().err


def test_evaluation_refuses_a_validation_split_of_a_photo_folder(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--data", f"folder:{PHOTOS}", "--split", "val"])
    assert "a folder of photos has no validation split" in capsys.readouterr().err


def test_the_photo_evaluation_fills_whole_photos_through_the_inpainter_and_scores_every_fill(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = evaluate_folder(
        tmp_path, "--at photo --side 48 --images 2 --holes square-20 scratch --iterations 2 --restarts 1"
    )
    assert set(record["results"]) == {"square-20", "scratch"}
    for hole in record["results"].values():
        assert len(hole["rows"]) == 2
        for row in hole["rows"]:
            assert set(row["psnr"]) == {"default", "gan", "opencv-telea", "opencv-ns", "skimage-biharmonic", "membrane"}
            assert row["default_fill"] in ("gan", "skimage-biharmonic") and row["width_at_prior"] > 0
            assert row["ring_texture"] > 0  # the fixture photos have texture around every hole
            chosen = row["psnr"]["gan" if row["default_fill"] == "gan" else "skimage-biharmonic"]
            assert row["psnr"]["default"] == chosen  # every fill scored as the 8-bit image a user gets
    assert "through Inpainter.inpaint as the tab calls it" in capsys.readouterr().out


def test_a_photo_evaluation_keeping_none_of_the_fills_detail_scores_the_membrane_fill(tmp_path: Path) -> None:
    record = evaluate_folder(
        tmp_path, "--at photo --side 48 --images 2 --holes square-20 --iterations 2 --restarts 1 --fill-detail 0"
    )
    for row in record["results"]["square-20"]["rows"]:
        assert row["psnr"]["gan"] == row["psnr"]["membrane"]
    assert "default_vs_membrane_gain" in record["results"]["square-20"]["summary"]


def test_bsds500_splits_into_a_test_half_and_a_validation_half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import evaluation.inpaint as evaluation

    files = []
    for index in range(10):
        files.append(tmp_path / f"{index}.png")
        Image.fromarray(np.full((8, 8, 3), index, np.uint8)).save(files[-1])
    monkeypatch.setattr(evaluation, "photo_files", lambda data: files)
    test = {name for name, _ in evaluation.whole_photos("bsds500", 10, seed=3, side=0, split="test")}
    val = {name for name, _ in evaluation.whole_photos("bsds500", 10, seed=3, side=0, split="val")}
    assert len(test) == len(val) == 5 and not test & val
    assert {name for name, _ in evaluation.whole_photos("bsds500", 10, seed=0, side=0)} == test  # any seed's draw


def test_the_face_validation_proxy_is_our_val_split_of_the_64_pixel_faces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import evaluation.utkface_full as utkface_full

    source = tmp_path / "utkface-64"
    source.mkdir()
    for index in range(40):
        (source / f"{index:02d}_0_0_2017.jpg").write_bytes(bytes([index]))
    monkeypatch.setattr(utkface_full, "_extracted", lambda archive, folder: source)
    monkeypatch.setenv("GAN_STUDIO_DATA", str(tmp_path / "data"))
    folder, copied = utkface_full.build_val_proxy()
    names = sorted(p.name for p in folder.iterdir())
    assert copied == len(names) == 4 and names == sorted(utkface_full.split_names("val"))
    assert not set(names) & set(utkface_full.split_names("test"))
