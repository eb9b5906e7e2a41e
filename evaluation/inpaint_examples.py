"""Write the Inpaint tab's example images into examples/inpaint/: held-out test images and one photo.

    python -m evaluation.inpaint_examples

Sources: the Fashion-MNIST and UTKFace test splits (gan.data; never seen by the priors),
scikit-image's `chelsea` photo and its launch-pad scene `rocket` (SpaceX, public domain; both inside the
scikit-image wheel) and Matplotlib's portrait of Grace Hopper (U.S. Navy photo, public domain, in
Matplotlib's sample data) at its full 512×600.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from inpaint.settings import EXAMPLES_DIR

PICKS = {
    "fashion-mnist-test-{:04d}.png": ("fashion-mnist", (0, 1)),
    "utkface-test-{:04d}.png": ("utkface", (3, 120, 333)),
}


def write_examples(folder: Path = EXAMPLES_DIR) -> list[Path]:
    """Save the example images as PNG and return their paths."""
    from skimage import data

    from gan.data import load_dataset

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for pattern, (dataset, indices) in PICKS.items():
        test = load_dataset(dataset, "test")
        for index in indices:
            array = test.images[index].numpy().transpose(1, 2, 0)
            path = folder / pattern.format(index)
            Image.fromarray(array[..., 0] if array.shape[2] == 1 else array).save(path)
            written.append(path)
    photos = {"chelsea.png": (data.chelsea(), (226, 150)), "rocket.png": (data.rocket(), (400, 267))}
    for name, (photo, size) in photos.items():
        Image.fromarray(np.asarray(photo)).resize(size, Image.Resampling.LANCZOS).save(folder / name)
    from matplotlib import cbook

    portrait = folder / "grace-hopper.jpg"
    portrait.write_bytes(Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).read_bytes())
    return [*written, *(folder / name for name in photos), portrait]


if __name__ == "__main__":
    for path in write_examples():
        print(path)
