"""Dataset helpers of the core: held-out draws are random, reproducible and cover the classes."""
from __future__ import annotations

import torch

from gan.data import ImageSet


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
