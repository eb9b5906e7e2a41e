"""Where a hosted Space gets the live run's data: without Debian's package, torchvision's downloader, into the cache."""

from __future__ import annotations

import urllib.error
import urllib.request

import numpy as np
import pytest

import gan.data
from gan.data import DataError, load_dataset


def _write_idx(path, array: np.ndarray) -> None:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def no_debian_package_no_network(tmp_path, monkeypatch):
    """A machine like a Space: no /usr/share/datasets/fashion-mnist, no ../shared, and no download that can succeed."""

    def refused(*args, **kwargs):
        raise urllib.error.URLError("network unreachable")

    monkeypatch.setattr(gan.data, "FASHION_MNIST_DEBIAN", tmp_path / "no-debian-package")
    monkeypatch.setenv("GAN_STUDIO_ARCHIVES", str(tmp_path / "no-shared"))
    monkeypatch.setenv("GAN_STUDIO_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(urllib.request, "urlopen", refused)
    return tmp_path / "data"


def test_without_debian_package_fashion_mnist_comes_from_torchvision_files_in_the_data_cache(
    no_debian_package_no_network,
) -> None:
    raw = no_debian_package_no_network / "torchvision" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.random.default_rng(0).integers(0, 256, size=(6, 28, 28))
    for prefix in ("train", "t10k"):  # torchvision checks that all four files are there
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", images)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", np.arange(6))
    test = load_dataset("fashion-mnist", "test")
    assert test.images.shape == (6, 1, 28, 28) and test.labels.tolist() == list(range(6))
    assert np.array_equal(test.images[:, 0].numpy(), images)
    assert test.classes[9] == "ankle-boot"
    assert list((no_debian_package_no_network / "cache").glob("fashion-mnist-test.*"))  # decoded once, then cached


def test_when_fashion_mnist_cannot_be_had_the_live_tab_says_so_in_a_sentence(no_debian_package_no_network) -> None:
    from ui.anomaly import AnomalyTab
    from ui.context import AppContext

    with pytest.raises(DataError, match="fashion-mnist is not on this machine and could not be downloaded"):
        load_dataset("fashion-mnist", "test")
    tab = AnomalyTab(AppContext(device="cpu"))
    with pytest.raises(Exception, match="Live training needs Fashion-MNIST") as error:
        next(tab.train("trouser", "quick", None, None, None))
    assert "Traceback" not in str(error.value)
