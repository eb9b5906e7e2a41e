"""The one data registry: every dataset of the studio by name, with seeded train/val/test splits.

Names: `cifar10`, `tiny-imagenet`, `utkface`, `photos-128`, `mnist`, `fashion-mnist`, `bsds500`, `folder:PATH`
(any image folder, flat or root/<class>/<image>), torchvision's downloads for users online
(`svhn`, `celeba`, `kmnist`), and `A+B` for the union of two same-size datasets (classes of B
follow those of A, so `tiny-imagenet+utkface` has 201 classes, faces the last).

Splits: `train` and `val` are disjoint, seeded parts of the official training data (`val` is for
model selection); `test` is the official held-out split, touched only by evaluation. Datasets with
no official split (UTKFace, an image folder) are split 80/10/10 by a seeded draw. BSDS500's 200
photos are test photos only: we never train on them. `photos-val` is the whole-photo validation set of
colorization: 23 photos built from scikit-image and two Debian wallpaper packages (`photos_val_folder`).

Images are held decoded as uint8 (N, C, H, W), converted to float per batch (`TensorImages`):
100 000 images of 64×64 take 1.2 GB. The first decode is cached as `.npy` under the data folder
(`$GAN_STUDIO_DATA`, else `data/` at the repository root, git-ignored). Offline archives
(../shared/DATA.md) are found in `$GAN_STUDIO_ARCHIVES`, else `shared/data/` beside the checkout,
and extracted once into the data folder; online, the same names fall back to torchvision.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset

from gan.classes import CIFAR10_CLASSES, DIGITS, FASHION_MNIST_CLASSES, KMNIST_CLASSES
from gan.shipped import REPO_ROOT

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
SPLITS = ("train", "val", "test")
FOLDER_PREFIX = "folder:"
VAL_FRACTION = 0.05  # of an official training split, held out as `val`
UNSPLIT_FRACTIONS = (0.8, 0.1, 0.1)  # train/val/test of data with no official split
FASHION_MNIST_DEBIAN = Path("/usr/share/datasets/fashion-mnist")


class DataError(ValueError):
    """A dataset that cannot be had or a name that names none; the message says what to do."""


def data_root() -> Path:
    """Folder where datasets are extracted and cached."""
    return Path(os.environ.get("GAN_STUDIO_DATA", REPO_ROOT / "data"))


def archives_root() -> Path:
    """Folder holding the offline archives of ../shared/data."""
    return Path(os.environ.get("GAN_STUDIO_ARCHIVES", REPO_ROOT.parent / "shared" / "data"))


@dataclass
class ImageSet:
    """Images as uint8 (N, C, H, W), labels as int64 (N,), and the class names."""

    images: Tensor
    labels: Tensor
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def image_size(self) -> int:
        """Side of the (square) images."""
        return self.images.shape[-1]

    def subset(self, mask: Tensor) -> "ImageSet":
        """The images where `mask` is true (or at the indices `mask` lists)."""
        return ImageSet(self.images[mask], self.labels[mask], self.classes)

    def sample(self, count: int, seed: int = 0) -> "ImageSet":
        """`count` images drawn without replacement by a seeded shuffle (all of them, shuffled, if fewer).

        Dataset files are ordered by class, so a prefix such as `images[:256]` is one class only;
        held-out subsets must be drawn with this instead.
        """
        return self.subset(self._order(seed)[:count])

    def split(self, count: int, seed: int = 0) -> tuple["ImageSet", "ImageSet"]:
        """(the rest, `count` images held out): the held-out ones are exactly what `sample` draws."""
        order = self._order(seed)
        return self.subset(order[count:].sort().values), self.subset(order[:count])

    def colored(self, min_chroma: float = 2.0) -> "ImageSet":
        """The images whose channels differ: drops grayscale photos stored as RGB (colorization targets)."""
        if self.images.shape[1] != 3:
            raise DataError("This dataset is gray: colorization needs color photos (RGB) to learn and to score from.")
        return self.subset(chroma_spread(self.images) > min_chroma)

    def resized(self, size: int) -> "ImageSet":
        """The images resized to size × size (area averaging down, bicubic up)."""
        if self.image_size == size:
            return self
        mode = "area" if size < self.image_size else "bicubic"
        chunks = [
            F.interpolate(chunk.float(), size=(size, size), mode=mode).round().clamp(0, 255).to(torch.uint8)
            for chunk in self.images.split(4096)
        ]
        return ImageSet(torch.cat(chunks), self.labels, self.classes)

    def _order(self, seed: int) -> Tensor:
        return torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))


def chroma_spread(images: Tensor) -> Tensor:
    """Mean spread between the channels of RGB images (..., 3, H, W), in pixel units: about 0 for a gray photo stored as
    RGB."""
    return (images.amax(-3).float() - images.amin(-3).float()).mean((-2, -1))


def concat(first: ImageSet, second: ImageSet) -> ImageSet:
    """The union of two image sets of one size; the second's labels follow the first's classes."""
    if first.images.shape[1:] != second.images.shape[1:]:
        raise DataError(
            f"Cannot join images of shape {tuple(first.images.shape[1:])} and {tuple(second.images.shape[1:])}."
        )
    labels = torch.cat([first.labels, second.labels + len(first.classes)])
    return ImageSet(torch.cat([first.images, second.images]), labels, first.classes + second.classes)


class TensorImages(Dataset):
    """An ImageSet as a Dataset of (image in [-1, 1] float32, label), converted per item."""

    def __init__(self, image_set: ImageSet) -> None:
        self.image_set = image_set

    def __len__(self) -> int:
        return len(self.image_set)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        return to_unit_range(self.image_set.images[index]), self.image_set.labels[index]


class RandomCrops(Dataset):
    """Larger photos as a Dataset of random size × size crops (image in [-1, 1], label), at their own pixel scale.

    `label` replaces the set's labels when given (e.g. -1: no class of the other training data).
    """

    def __init__(self, image_set: ImageSet, size: int, label: int | None = None) -> None:
        if image_set.image_size < size:
            raise DataError(f"Crops of {size} px need images at least that large, got {image_set.image_size} px.")
        self.image_set, self.size, self.label = image_set, size, label

    def __len__(self) -> int:
        return len(self.image_set)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        top, left = torch.randint(0, self.image_set.image_size - self.size + 1, (2,)).tolist()
        crop = self.image_set.images[index, :, top : top + self.size, left : left + self.size]
        label = self.image_set.labels[index] if self.label is None else torch.tensor(self.label)
        return to_unit_range(crop), label


def to_unit_range(images: Tensor) -> Tensor:
    """uint8 [0, 255] -> float32 [-1, 1]."""
    return images.float().div(127.5).sub(1.0)


def pad_to(images: Tensor, size: int) -> Tensor:
    """Zero-pad (N, C, h, w) images symmetrically to size x size (28 -> 32 for the DCGAN)."""
    pad_h, pad_w = size - images.shape[-2], size - images.shape[-1]
    if pad_h < 0 or pad_w < 0:
        raise ValueError(f"Cannot pad {tuple(images.shape[-2:])} down to {size}.")
    return F.pad(images, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))


# ---------------------------------------------------------------- decoding and caching


def _cached(key: str, build: Callable[[], ImageSet]) -> ImageSet:
    """`build()` once, then the decoded arrays from data/cache/<key>.*."""
    folder = data_root() / "cache"
    images_path, meta_path = folder / f"{key}.images.npy", folder / f"{key}.json"
    if images_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        images = torch.from_numpy(np.load(images_path, allow_pickle=False))
        return ImageSet(images, torch.tensor(meta["labels"], dtype=torch.int64), tuple(meta["classes"]))
    image_set = build()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = images_path.with_name(images_path.name + f".{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        np.save(handle, image_set.images.numpy(), allow_pickle=False)
    os.replace(tmp, images_path)
    meta_tmp = meta_path.with_name(meta_path.name + f".{os.getpid()}.tmp")
    meta_tmp.write_text(json.dumps({"labels": image_set.labels.tolist(), "classes": list(image_set.classes)}))
    os.replace(meta_tmp, meta_path)
    return image_set


def _extracted(archive_name: str, inner: str) -> Path | None:
    """data/<inner> extracted from archives_root()/<archive_name> once; None when the archive is absent."""
    target = data_root() / inner
    if target.is_dir() and (target / ".complete").exists():
        return target
    archive = archives_root() / archive_name
    if not archive.exists():
        return None
    staging = data_root() / f".extract-{inner}-{os.getpid()}"
    with tarfile.open(archive) as tar:
        tar.extractall(staging, filter="data")
    source = staging / inner if (staging / inner).is_dir() else staging
    shutil.rmtree(target, ignore_errors=True)
    os.replace(source, target)
    (target / ".complete").touch()
    shutil.rmtree(staging, ignore_errors=True)
    return target


def read_image(file: Path, grayscale: bool = False, size: int | None = None) -> np.ndarray:
    """One image file as uint8 HWC RGB (or HW gray), center-cropped to a square and resized when `size` is given."""
    with Image.open(file) as img:
        img = img.convert("L" if grayscale else "RGB")
        if size is not None:
            side = min(img.size)
            left, top = (img.width - side) // 2, (img.height - side) // 2
            img = img.crop((left, top, left + side, top + side))
            if img.size != (size, size):
                img = img.resize((size, size), Image.Resampling.BICUBIC if size > side else Image.Resampling.BOX)
        return np.asarray(img)


def _stack(
    files: list[Path], labels: list[int], classes: tuple[str, ...], size: int | None, grayscale: bool = False
) -> ImageSet:
    arrays = [read_image(f, grayscale, size) for f in files]
    if len({a.shape for a in arrays}) > 1:
        raise DataError("The images differ in size; give a size to crop and resize them to.")
    images = np.stack([a[None] if grayscale else a.transpose(2, 0, 1) for a in arrays])
    return ImageSet(torch.from_numpy(images), torch.tensor(labels, dtype=torch.int64), classes)


def image_files(root: Path) -> tuple[list[Path], list[int], tuple[str, ...]]:
    """Every image under root, flat or root/<class>/<image>: (files, labels, class names)."""
    subfolders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if subfolders:
        pairs = [
            (f, label)
            for label, d in enumerate(subfolders)
            for f in sorted(d.rglob("*"))
            if f.suffix.lower() in IMAGE_SUFFIXES
        ]
        classes = tuple(d.name for d in subfolders)
    else:
        pairs = [(f, 0) for f in sorted(root.iterdir()) if f.suffix.lower() in IMAGE_SUFFIXES]
        classes = (root.name,)
    if not pairs:
        raise DataError(
            f"No images found in {root.name!r} (expected .jpg, .png, ... files, flat or in class sub-folders)."
        )
    return [f for f, _ in pairs], [label for _, label in pairs], classes


def load_image_folder(root: Path, size: int | None = None, grayscale: bool = False) -> ImageSet:
    """Every image under root (flat or root/<class>/<image>) as one ImageSet, square-cropped to `size`."""
    files, labels, classes = image_files(root)
    return _stack(files, labels, classes, size, grayscale)


def _seeded_parts(count: int, fractions: tuple[float, float, float], seed: int = 0) -> dict[str, Tensor]:
    """Disjoint sorted index sets {train, val, test} covering range(count)."""
    order = torch.randperm(count, generator=torch.Generator().manual_seed(seed))
    n_val, n_test = round(count * fractions[1]), round(count * fractions[2])
    return {
        "test": order[:n_test].sort().values,
        "val": order[n_test : n_test + n_val].sort().values,
        "train": order[n_test + n_val :].sort().values,
    }


def _official(load_train: Callable[[], ImageSet], load_test: Callable[[], ImageSet], split: str) -> ImageSet:
    """train/val carved from the official training split (seeded), test the official test split."""
    if split == "test":
        return load_test()
    full = load_train()
    parts = _seeded_parts(len(full), (1 - VAL_FRACTION, VAL_FRACTION, 0.0))
    return full.subset(parts[split])


def _unsplit(full: ImageSet, split: str) -> ImageSet:
    return full.subset(_seeded_parts(len(full), UNSPLIT_FRACTIONS)[split])


# ---------------------------------------------------------------- the datasets


def _missing(name: str, archive: str) -> DataError:
    return DataError(
        f"{name} is not here: put {archive} in {archives_root()} or set GAN_STUDIO_ARCHIVES to its folder."
    )


def _cifar10_part(part: str) -> ImageSet:
    def build() -> ImageSet:
        root = _extracted("cifar10-jpg.tar.gz", "cifar10")
        if root is not None:
            return load_image_folder(root / part)
        from torchvision.datasets import CIFAR10

        dataset = CIFAR10(str(data_root() / "torchvision"), train=part == "train", download=True)
        images = torch.from_numpy(dataset.data).permute(0, 3, 1, 2).contiguous()
        return ImageSet(images, torch.tensor(dataset.targets, dtype=torch.int64), CIFAR10_CLASSES)

    return _cached(f"cifar10-{part}", build)


def load_cifar10(split: str = "train") -> ImageSet:
    """CIFAR-10 (Krizhevsky 2009), 32×32 RGB, 10 classes."""
    return _official(lambda: _cifar10_part("train"), lambda: _cifar10_part("test"), split)


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def _fashion_mnist_part(part: str) -> ImageSet:
    prefix = {"train": "train", "test": "t10k"}[part]

    def build() -> ImageSet:
        images_file = FASHION_MNIST_DEBIAN / f"{prefix}-images-idx3-ubyte.gz"
        if images_file.exists():
            images = _read_idx(images_file)
            labels = _read_idx(FASHION_MNIST_DEBIAN / f"{prefix}-labels-idx1-ubyte.gz")
            return ImageSet(
                torch.from_numpy(images.copy())[:, None],
                torch.from_numpy(labels.astype(np.int64)),
                FASHION_MNIST_CLASSES,
            )
        return _torchvision("fashion-mnist", part)

    return _cached(f"fashion-mnist-{part}", build)


def load_fashion_mnist(split: str = "train") -> ImageSet:
    """Fashion-MNIST (Xiao et al. 2017), 28×28 gray, 10 classes: Debian's package offline."""
    return _official(lambda: _fashion_mnist_part("train"), lambda: _fashion_mnist_part("test"), split)


def _mnist_part(part: str) -> ImageSet:
    def build() -> ImageSet:
        archive = archives_root() / "mnist.npz"
        if archive.exists():
            with np.load(archive, allow_pickle=False) as arrays:
                images, labels = arrays[f"x_{part}"], arrays[f"y_{part}"]
            return ImageSet(torch.from_numpy(images.copy())[:, None], torch.from_numpy(labels.astype(np.int64)), DIGITS)
        return _torchvision("mnist", part)

    return _cached(f"mnist-{part}", build)


def load_mnist(split: str = "train") -> ImageSet:
    """MNIST (LeCun et al. 1998), all 70 000 digits, 28×28 gray."""
    return _official(lambda: _mnist_part("train"), lambda: _mnist_part("test"), split)


def _tiny_imagenet_part(part: str) -> ImageSet:
    def build() -> ImageSet:
        root = _extracted("tiny-imagenet-200.tar.gz", "tiny-imagenet-200")
        if root is None:
            raise _missing("Tiny ImageNet 200", "tiny-imagenet-200.tar.gz")
        wnids = (root / "wnids.txt").read_text().split()
        words = dict(line.split("\t", 1) for line in (root / "words.txt").read_text().splitlines() if "\t" in line)
        classes = tuple(words.get(w, w).split(",")[0].strip() for w in wnids)
        index = {w: i for i, w in enumerate(wnids)}
        if part == "train":
            pairs = [(f, index[w]) for w in wnids for f in sorted((root / "train" / w / "images").glob("*.JPEG"))]
        else:
            rows = [
                line.split("\t") for line in (root / "val" / "val_annotations.txt").read_text().splitlines() if line
            ]
            pairs = [(root / "val" / "images" / r[0], index[r[1]]) for r in rows]
        return _stack([f for f, _ in pairs], [label for _, label in pairs], classes, size=None)

    return _cached(f"tiny-imagenet-{part}", build)


def load_tiny_imagenet(split: str = "train") -> ImageSet:
    """Tiny ImageNet 200, 64×64 RGB, 200 classes; `test` is the official 10 000-image validation set."""
    return _official(lambda: _tiny_imagenet_part("train"), lambda: _tiny_imagenet_part("val"), split)


def load_utkface(split: str = "train") -> ImageSet:
    """UTKFace aligned faces at 64×64 RGB, one class `face`; seeded 80/10/10 split."""

    def build() -> ImageSet:
        root = _extracted("utkface-64.tar.gz", "utkface-64")
        if root is None:
            raise _missing("UTKFace", "utkface-64.tar.gz")
        files = sorted(root.glob("*.jpg"))
        return _stack(files, [0] * len(files), ("face",), size=None)

    return _unsplit(_cached("utkface", build), split)


PHOTOS_128_VAL_SHARE = 20  # one photo in 20, chosen by a hash of its file name, is photos-128's val split


def photos_128_val(name: str) -> bool:
    """Whether photos-128's file `name` (source/NNNNN.jpg) is in the val split: a hash of the name."""
    return int(hashlib.sha256(f"photos-128:{name}".encode()).hexdigest(), 16) % PHOTOS_128_VAL_SHARE == 0


def load_photos_128(split: str = "train") -> ImageSet:
    """photos-128: 6 249 color photos, center-cropped to 128 × 128; classes are the sources; train and val only."""
    if split == "test":
        raise DataError("photos-128 has no test split (it is training and validation data); test on bsds500.")

    files, labels, classes = image_files(photos_128_folder())
    full = _cached("photos-128", lambda: _stack(files, labels, classes, size=128))
    mask = torch.tensor([in_photos_128_val(f) == (split == "val") for f in files])
    return full.subset(mask)


def photos_128_folder() -> Path:
    """The extracted folder of photos-128 (one subfolder per source)."""
    root = _extracted("photos-128.tar.gz", "photos-128")
    if root is None:
        raise _missing("photos-128", "photos-128.tar.gz")
    return root


def in_photos_128_val(file: Path) -> bool:
    """Whether photos-128's `file` (in its source's subfolder) is in the val split."""
    return photos_128_val(f"{file.parent.name}/{file.name}")


def bsds500_folder() -> Path:
    """The extracted folder of BSDS500's 200 train photos (481×321 or 321×481), our real-photo test set."""
    root = _extracted("bsds500-train.tar.gz", "bsds500-train")
    if root is None:
        raise _missing("BSDS500", "bsds500-train.tar.gz")
    return root


# The whole-photo validation set of colorization (`photos-val`): photos from installable packages, none in any
# training set, so models are chosen on whole photos without touching BSDS500. Licences: scikit-image's data
# (public domain and CC0), Debian's mate-backgrounds (GPL-2+) and plasma-workspace-wallpapers (LGPL-3 and CC BY-SA).
PHOTOS_VAL_SKIMAGE = ("astronaut", "chelsea", "coffee", "rocket", "stereo_motorcycle")  # the last: its left view
PHOTOS_VAL_MATE = Path("/usr/share/backgrounds/mate/nature")
PHOTOS_VAL_PLASMA = Path("/usr/share/wallpapers")
PHOTOS_VAL_PLASMA_PHOTOS = ("BytheWater", "ColorfulCups", "EveningGlow", "FallenLeaf", "OneStandsOut", "Path")
PHOTOS_VAL_SIDE = 640  # longer side of the stored copies: BSDS500's scale (481 px), not a wallpaper's 2 560


def photos_val_folder() -> Path:
    """data/photos-val, built once: 23 whole photos (5 of scikit-image, 12 of mate-backgrounds' nature set, 6 KDE photo
    wallpapers) at 640 px."""
    target = data_root() / "photos-val"
    if (target / ".complete").exists():
        return target
    if not PHOTOS_VAL_MATE.is_dir() or not PHOTOS_VAL_PLASMA.is_dir():
        raise DataError(
            "photos-val is built from Debian's packages: apt-get install mate-backgrounds plasma-workspace-wallpapers"
        )
    from skimage import data as skimage_data

    arrays = {name: getattr(skimage_data, name)() for name in PHOTOS_VAL_SKIMAGE}
    photos = {f"skimage-{name}": Image.fromarray(a[0] if isinstance(a, tuple) else a) for name, a in arrays.items()}
    photos |= {f"mate-{path.stem}": Image.open(path) for path in sorted(PHOTOS_VAL_MATE.glob("*.jpg"))}
    for name in PHOTOS_VAL_PLASMA_PHOTOS:
        photos[f"plasma-{name}"] = Image.open(PHOTOS_VAL_PLASMA / name / "contents" / "images" / "2560x1600.jpg")
    staging = data_root() / f".build-photos-val-{os.getpid()}"
    staging.mkdir(parents=True, exist_ok=True)
    for stem, photo in photos.items():
        photo = photo.convert("RGB")
        photo.thumbnail((PHOTOS_VAL_SIDE, PHOTOS_VAL_SIDE), Image.Resampling.LANCZOS)
        photo.save(staging / f"{stem}.png")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)
    (target / ".complete").touch()
    return target


def load_bsds500(split: str = "test", size: int = 64) -> ImageSet:
    """BSDS500's 200 photos center-cropped to size × size; test only (see `photo_files` for full size)."""
    if split != "test":
        raise DataError("BSDS500 is a test set here: it has no train or val split.")
    return load_image_folder(bsds500_folder(), size=size)


def _torchvision(name: str, split: str) -> ImageSet:
    """The torchvision download of `name` (users online); `split` is 'train' or 'test'; offline, a DataError."""
    try:
        return _torchvision_download(name, split)
    except (OSError, RuntimeError) as error:  # no network, a refused or broken download
        raise DataError(
            f"{name} is not on this machine and could not be downloaded ({type(error).__name__}); see "
            "../shared/DATA.md for the offline archives."
        ) from error


def _torchvision_download(name: str, split: str) -> ImageSet:
    from torchvision import datasets

    root, train = str(data_root() / "torchvision"), split == "train"
    if name in ("mnist", "fashion-mnist", "kmnist"):
        cls = {"mnist": datasets.MNIST, "fashion-mnist": datasets.FashionMNIST, "kmnist": datasets.KMNIST}[name]
        dataset = cls(root, train=train, download=True)
        classes = {"mnist": DIGITS, "fashion-mnist": FASHION_MNIST_CLASSES, "kmnist": KMNIST_CLASSES}[name]
        return ImageSet(dataset.data[:, None].clone(), dataset.targets.clone(), classes)
    if name == "svhn":
        dataset = datasets.SVHN(root, split="train" if train else "test", download=True)
        return ImageSet(torch.from_numpy(dataset.data), torch.from_numpy(dataset.labels.astype(np.int64)), DIGITS)
    if name == "celeba":
        dataset = datasets.CelebA(root, split="train" if train else "test", download=True)
        files = [Path(dataset.root) / dataset.base_folder / "img_align_celeba" / f for f in dataset.filename]
        return _stack(files, [0] * len(files), ("face",), size=64)
    raise DataError(f"torchvision has no dataset {name!r} here.")


def _online(name: str) -> Callable[[str], ImageSet]:
    def load(split: str) -> ImageSet:
        return _official(
            lambda: _cached(f"{name}-train", lambda: _torchvision(name, "train")),
            lambda: _cached(f"{name}-test", lambda: _torchvision(name, "test")),
            split,
        )

    return load


def load_folder(root: Path, split: str, size: int | None) -> ImageSet:
    """An image folder: root/train and root/test when present, else a seeded 80/10/10 split of its images."""
    if not root.is_dir():
        raise DataError(f"No folder {root.name!r}: give folder:PATH with PATH an image folder.")
    if (root / "train").is_dir() and (root / "test").is_dir():
        if split == "test":
            return load_image_folder(root / "test", size)
        full = load_image_folder(root / "train", size)
        return full.subset(_seeded_parts(len(full), (1 - VAL_FRACTION, VAL_FRACTION, 0.0))[split])
    files, labels, classes = image_files(root)
    index = _seeded_parts(len(files), UNSPLIT_FRACTIONS)[split].tolist()
    return _stack([files[i] for i in index], [labels[i] for i in index], classes, size)


@dataclass(frozen=True)
class DatasetInfo:
    """What a registered dataset is: its loader, native format and where it comes from."""

    load: Callable[[str], ImageSet]
    channels: int
    size: int
    description: str
    research_only: bool = (
        False  # its terms allow non-commercial research (and education) only, so do weights trained on it
    )


DATASETS: dict[str, DatasetInfo] = {
    "cifar10": DatasetInfo(load_cifar10, 3, 32, "CIFAR-10 (Krizhevsky 2009): 60 000 real 32×32 photos, 10 classes"),
    "tiny-imagenet": DatasetInfo(
        load_tiny_imagenet,
        3,
        64,
        "Tiny ImageNet 200: 80 000 train + 10 000 val 64×64 photos, 200 classes (ImageNet terms: non-commercial "
        "research and education)",
        research_only=True,
    ),
    "utkface": DatasetInfo(
        load_utkface, 3, 64, "UTKFace: 22 000 aligned faces at 64×64 (non-commercial research only)", research_only=True
    ),
    "photos-128": DatasetInfo(
        load_photos_128,
        3,
        128,
        "photos-128: 6 249 color photos at 128 px (ImageNet samples and detection classes, Intel scenes, "
        "Dogs vs Cats, GCompris, COCO; research use)",
        research_only=True,
    ),
    "mnist": DatasetInfo(load_mnist, 1, 28, "MNIST: 70 000 handwritten digits, 28×28 (CC BY-SA 3.0)"),
    "fashion-mnist": DatasetInfo(
        load_fashion_mnist, 1, 28, "Fashion-MNIST (Xiao et al. 2017): 70 000 28×28 clothing images, 10 classes (MIT)"
    ),
    "bsds500": DatasetInfo(
        load_bsds500,
        3,
        64,
        "BSDS500 train: 200 natural photos 481×321 (research use); a test set here",
        research_only=True,
    ),
    "svhn": DatasetInfo(_online("svhn"), 3, 32, "SVHN house numbers, 32×32 (torchvision download)"),
    "celeba": DatasetInfo(
        _online("celeba"), 3, 64, "CelebA faces, center-cropped to 64×64 (torchvision download)", research_only=True
    ),
    "kmnist": DatasetInfo(_online("kmnist"), 1, 28, "Kuzushiji-MNIST, 28×28 (torchvision download)"),
}


def dataset_names() -> list[str]:
    """Every registered name (image folders go as folder:PATH)."""
    return sorted(DATASETS)


def describe(name: str) -> str:
    """One line saying what `name` is, for model cards and tables."""
    parts = [p for p in name.split("+")]
    return " + ".join(
        DATASETS[p].description if p in DATASETS else f"image folder {Path(p.removeprefix(FOLDER_PREFIX)).name}"
        for p in parts
    )


def weights_license(name: str) -> str:
    """The model-card licence of weights trained on `name`: "other" when any part has research-only terms or is a folder
    of unknown terms, else "mit"."""
    parts = name.split("+")
    return "other" if any(p not in DATASETS or DATASETS[p].research_only for p in parts) else "mit"


def load_dataset(name: str, split: str = "train", size: int | None = None) -> ImageSet:
    """The `split` of dataset `name` (a registered name, folder:PATH, or A+B), resized to `size` when given.

    An image folder's photos differ in size, so they are always center-cropped to a square and resized:
    to `size`, or 64 px when none is given.
    """
    if split not in SPLITS:
        raise DataError(f"Unknown split {split!r}; choose one of {', '.join(SPLITS)}.")
    if "+" in name:
        first, second = name.split("+", 1)
        return concat(load_dataset(first, split, size), load_dataset(second, split, size))
    if name.startswith(FOLDER_PREFIX):
        return load_folder(Path(name.removeprefix(FOLDER_PREFIX)).expanduser(), split, size or 64)
    if name not in DATASETS:
        raise DataError(f"Unknown dataset {name!r}; choose one of {', '.join(dataset_names())} or folder:PATH.")
    image_set = DATASETS[name].load(split)
    return image_set.resized(size) if size is not None else image_set


def photo_files(name: str) -> list[Path]:
    """Whole photos for full-resolution evaluation: all of `bsds500` or `photos-val`; the val split of `photos-128` (it
    is training data); PATH/test of folder:PATH when present, else every image in it."""
    if name == "bsds500":
        return image_files(bsds500_folder())[0]
    if name == "photos-val":
        return image_files(photos_val_folder())[0]
    if name == "photos-128":
        return [f for f in image_files(photos_128_folder())[0] if in_photos_128_val(f)]
    if name.startswith(FOLDER_PREFIX):
        root = Path(name.removeprefix(FOLDER_PREFIX)).expanduser()
        if not root.is_dir():
            raise DataError(f"No folder {root.name!r}: give folder:PATH with PATH an image folder.")
        return image_files(root / "test" if (root / "test").is_dir() else root)[0]
    raise DataError(f"{name!r} is not a set of whole photos; use bsds500, photos-val, photos-128 or folder:PATH.")
