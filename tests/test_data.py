"""Dataset helpers of the core: held-out draws are random, reproducible and cover the classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gan.data import DataError, ImageSet, concat, load_dataset, photo_files, photos_128_val


def _class_sorted_set(per_class: int = 50, classes: int = 10) -> ImageSet:
    labels = torch.arange(classes).repeat_interleave(per_class)
    images = labels.view(-1, 1, 1, 1).expand(-1, 3, 4, 4).to(torch.uint8).contiguous()
    return ImageSet(images, labels, tuple(f"class-{i}" for i in range(classes)))


def test_a_sample_of_a_class_sorted_set_covers_every_class_unlike_a_prefix() -> None:
    image_set = _class_sorted_set()
    assert set(image_set.labels[:40].tolist()) == {0}
    assert set(image_set.sample(40).labels.tolist()) == set(range(10))


def test_a_sample_is_reproducible_without_repeats_and_keeps_images_with_their_labels() -> None:
    image_set = _class_sorted_set()
    first, again, other = image_set.sample(100, seed=3), image_set.sample(100, seed=3), image_set.sample(100, seed=4)
    assert torch.equal(first.labels, again.labels) and not torch.equal(first.labels, other.labels)
    assert torch.equal(first.images[:, 0, 0, 0].long(), first.labels)
    assert len(image_set.sample(10_000)) == len(image_set)


def test_a_validation_split_holds_out_the_sampled_images_and_trains_on_all_the_others() -> None:
    image_set = ImageSet(torch.arange(500).view(-1, 1, 1, 1).to(torch.int64), torch.arange(500), ("x",))
    rest, validation = image_set.split(64, seed=2)
    assert torch.equal(validation.labels, image_set.sample(64, seed=2).labels)
    assert len(rest) == 436 and not set(rest.labels.tolist()) & set(validation.labels.tolist())
    assert set(rest.labels.tolist()) | set(validation.labels.tolist()) == set(range(500))


PHOTOS = Path(__file__).resolve().parent / "data" / "photos"


def test_an_image_folder_splits_into_disjoint_seeded_train_val_and_test_parts():
    parts = {split: load_dataset(f"folder:{PHOTOS}", split, size=32) for split in ("train", "val", "test")}
    assert [len(parts[s]) for s in ("train", "val", "test")] == [76, 10, 10]
    keys = {s: {bytes(image.numpy()) for image in parts[s].images} for s in parts}
    assert not keys["train"] & keys["val"] and not keys["train"] & keys["test"] and not keys["val"] & keys["test"]
    assert torch.equal(load_dataset(f"folder:{PHOTOS}", "test", size=32).images, parts["test"].images)
    assert parts["train"].images.shape[1:] == (3, 32, 32) and len(parts["train"].classes) == 8


def test_whole_photos_of_a_folder_are_all_its_images_or_its_test_subfolder(tmp_path):
    assert len(photo_files(f"folder:{PHOTOS}")) == 96
    (tmp_path / "train").mkdir()
    (tmp_path / "test").mkdir()
    for part, count in (("train", 3), ("test", 2)):
        for i in range(count):
            (tmp_path / part / f"{i}.png").write_bytes(b"")
    assert [f.parent.name for f in photo_files(f"folder:{tmp_path}")] == ["test", "test"]


def test_whole_photos_of_photos_128_are_its_validation_split(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("GAN_STUDIO_ARCHIVES", str(tmp_path / "no-archives"))
    with pytest.raises(DataError, match="photos-128"):
        photo_files("photos-128")
    root = tmp_path / "data" / "photos-128"
    (root / "source").mkdir(parents=True)
    (root / ".complete").touch()
    names = [f"{i:05d}.jpg" for i in range(200)]
    for name in names:
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(root / "source" / name)
    chosen = [f.name for f in photo_files("photos-128")]
    assert chosen == [name for name in names if photos_128_val(f"source/{name}")] and 0 < len(chosen) < 40


def test_two_datasets_join_with_the_second_classes_after_the_first():
    first = ImageSet(torch.zeros(3, 3, 4, 4, dtype=torch.uint8), torch.tensor([0, 1, 1]), ("a", "b"))
    second = ImageSet(torch.ones(2, 3, 4, 4, dtype=torch.uint8), torch.tensor([0, 0]), ("face",))
    joined = concat(first, second)
    assert joined.classes == ("a", "b", "face") and joined.labels.tolist() == [0, 1, 1, 2, 2]


def test_gray_photos_stored_as_rgb_are_left_out_of_colored_sets():
    gray = torch.full((1, 3, 8, 8), 100, dtype=torch.uint8)
    color = torch.stack([torch.full((8, 8), 200), torch.full((8, 8), 50), torch.full((8, 8), 90)]).to(torch.uint8)[None]
    image_set = ImageSet(torch.cat([gray, color, gray]), torch.tensor([0, 1, 2]), ("x", "y", "z"))
    assert image_set.colored().labels.tolist() == [1]


def test_unknown_names_and_splits_get_a_sentence_that_lists_the_choices():
    with pytest.raises(DataError, match="Unknown dataset 'imagenet-1k'; choose one of .*tiny-imagenet"):
        load_dataset("imagenet-1k")
    with pytest.raises(DataError, match="Unknown split 'validation'"):
        load_dataset("mnist", "validation")
    with pytest.raises(DataError, match="No folder 'nowhere'"):
        load_dataset("folder:/nowhere")


def test_a_missing_offline_archive_is_named_with_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_ARCHIVES", str(tmp_path / "archives"))
    monkeypatch.setenv("GAN_STUDIO_DATA", str(tmp_path / "data"))
    with pytest.raises(DataError, match="utkface-64.tar.gz"):
        load_dataset("utkface", "train")


def test_a_dataset_that_is_neither_here_nor_downloadable_is_a_sentence(tmp_path, monkeypatch):
    import torchvision.datasets

    def offline(*args, **kwargs):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setenv("GAN_STUDIO_ARCHIVES", str(tmp_path / "archives"))
    monkeypatch.setenv("GAN_STUDIO_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(torchvision.datasets, "MNIST", offline)
    with pytest.raises(DataError, match="mnist is not on this machine and could not be downloaded"):
        load_dataset("mnist", "test")


def test_weights_trained_on_research_only_data_are_not_labelled_mit() -> None:
    from gan.data import weights_license

    assert (
        weights_license("utkface") == weights_license("tiny-imagenet+utkface") == weights_license("bsds500") == "other"
    )
    assert weights_license("folder:/photos") == "other"  # terms unknown
    assert weights_license("fashion-mnist") == weights_license("mnist+fashion-mnist") == "mit"


def _fake_wallpaper_packages(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Debian's two wallpaper packages in miniature: two nature photos and the six photo wallpapers at 2560×1600's
    path."""
    from PIL import Image

    import gan.data as data

    mate, plasma = root / "mate" / "nature", root / "wallpapers"
    mate.mkdir(parents=True)
    for name in ("Dune", "Storm"):
        Image.new("RGB", (900, 600), "orange").save(mate / f"{name}.jpg")
    for name in data.PHOTOS_VAL_PLASMA_PHOTOS:
        (plasma / name / "contents" / "images").mkdir(parents=True)
        Image.new("RGB", (1000, 625), "blue").save(plasma / name / "contents" / "images" / "2560x1600.jpg")
    monkeypatch.setattr(data, "PHOTOS_VAL_MATE", mate)
    monkeypatch.setattr(data, "PHOTOS_VAL_PLASMA", plasma)


def test_the_whole_photo_validation_set_is_built_once_from_packages_at_bsds_scale(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("GAN_STUDIO_DATA", str(tmp_path / "data"))
    _fake_wallpaper_packages(tmp_path, monkeypatch)
    files = photo_files("photos-val")
    assert len(files) == 5 + 2 + 6
    assert {f.stem.split("-")[0] for f in files} == {"skimage", "mate", "plasma"}
    assert all(max(Image.open(f).size) <= 640 for f in files)
    assert Image.open(next(f for f in files if f.stem == "plasma-Path")).size == (640, 400)
    (tmp_path / "mate").rename(tmp_path / "gone")  # built once: the copies no longer need the packages
    assert photo_files("photos-val") == files


def test_the_whole_photo_validation_set_says_which_packages_it_needs(tmp_path, monkeypatch):
    import gan.data as data

    monkeypatch.setenv("GAN_STUDIO_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(data, "PHOTOS_VAL_MATE", tmp_path / "absent")
    with pytest.raises(DataError, match="apt-get install mate-backgrounds plasma-workspace-wallpapers"):
        photo_files("photos-val")
