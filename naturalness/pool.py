"""The image pool of the naturalness test: real photos and their colorizations, and the blind draw.

A pool is a folder: `images/<id>.png` (native resolution, lossless) and `manifest.json`, whose
entries record each image's source photo and method ("real" for the ground truth). Image ids are
the first 16 hex digits of the SHA-256 of the PNG bytes, so neither the id nor the file name tells
the method, and rebuilding with the same weights gives the same ids.

The draw (`next_image`) shows a participant each source photo at most once (so a real photo never
primes the judgement of its own colorization) and keeps the methods balanced: the next image comes
from a method shown least often so far, ties and photos chosen at random.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image

from gan.shipped import REPO_ROOT

REAL = "real"
MANIFEST = "manifest.json"
DISPLAY_SIDE = 192
Colorizer = Callable[[Image.Image], Image.Image]
Photo = tuple[str, Image.Image]


@dataclass(frozen=True)
class PoolEntry:
    """One image of the pool: its id, file (relative to the pool folder), source photo and method."""

    image: str
    file: str
    source: str
    method: str


@dataclass
class Pool:
    """The images of a naturalness test, with the method order and where each method's weights came from."""

    root: Path
    entries: list[PoolEntry]
    methods: tuple[str, ...]
    provenance: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {entry.image: entry for entry in self.entries}

    def catalog(self) -> dict[str, str]:
        """Image id -> method, what the vote store checks votes against."""
        return {entry.image: entry.method for entry in self.entries}

    def path(self, image: str) -> Path:
        """The file of an image of the pool."""
        return self.root / self.by_id[image].file

    def sources(self) -> set[str]:
        """The distinct source photos."""
        return {entry.source for entry in self.entries}


LOCAL_POOL = REPO_ROOT / "data" / "naturalness-pool"
BUNDLED_POOL = REPO_ROOT / "examples" / "naturalness-pool"


def build_pool_dir() -> Path:
    """Where `build-pool` writes by default: $GAN_STUDIO_POOL, else data/naturalness-pool."""
    return Path(os.environ.get("GAN_STUDIO_POOL", LOCAL_POOL))


def default_pool_dir() -> Path:
    """Where the app looks for the pool: $GAN_STUDIO_POOL, else a locally built data/naturalness-pool,
    else the pool bundled with the app in examples/naturalness-pool (built from the shipped models)."""
    if "GAN_STUDIO_POOL" in os.environ:
        return Path(os.environ["GAN_STUDIO_POOL"])
    return LOCAL_POOL if (LOCAL_POOL / "manifest.json").is_file() else BUNDLED_POOL


def image_id(png: bytes) -> str:
    """The id of an image: the first 16 hex digits of the SHA-256 of its PNG bytes."""
    return hashlib.sha256(png).hexdigest()[:16]


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def build_pool(
    photos: Sequence[Photo], colorizers: Mapping[str, Colorizer], out: Path, provenance: Mapping[str, str] | None = None
) -> Pool:
    """Write the real photos and every colorizer's output for them into the pool folder `out`.

    Images of an earlier build that the new manifest does not name are removed, so a rebuilt pool holds
    only what it serves.
    """
    if not photos:
        raise ValueError("No photos to build the pool from.")
    if REAL in colorizers:
        raise ValueError(f"{REAL!r} is reserved for the real photos; rename that colorizer.")
    methods = (REAL, *colorizers)
    (out / "images").mkdir(parents=True, exist_ok=True)
    entries: list[PoolEntry] = []
    seen: dict[str, PoolEntry] = {}
    for source, photo in photos:
        photo = photo.convert("RGB")
        for method in methods:
            image = photo if method == REAL else colorizers[method](photo)
            if image.size != photo.size:
                raise ValueError(f"{method} returned a {image.size} image for the {photo.size} photo {source}.")
            png = _png_bytes(image)
            entry = PoolEntry(image_id(png), f"images/{image_id(png)}.png", source, method)
            if entry.image in seen:
                raise ValueError(
                    f"{method} and {seen[entry.image].method} gave identical images for {source}; a blind test cannot "
                    "tell them apart."
                )
            (out / entry.file).write_bytes(png)
            seen[entry.image] = entry
            entries.append(entry)
    pool = Pool(out, entries, methods, dict(provenance or {}))
    save_manifest(pool)
    kept = {entry.file for entry in entries}
    for stale in (out / "images").glob("*.png"):
        if f"images/{stale.name}" not in kept:
            stale.unlink()
    return pool


def save_manifest(pool: Pool) -> None:
    """Write the pool's manifest.json atomically."""
    document = {
        "methods": list(pool.methods),
        "provenance": pool.provenance,
        "entries": [asdict(entry) for entry in pool.entries],
    }
    tmp = pool.root / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(document, indent=1))
    os.replace(tmp, pool.root / MANIFEST)


def load_pool(root: Path) -> Pool:
    """Read a pool folder, checking that every listed image is there."""
    manifest = Path(root) / MANIFEST
    if not manifest.is_file():
        raise FileNotFoundError(
            f"No naturalness pool at {root}: build one with `python -m naturalness build-pool --out {root}`."
        )
    document = json.loads(manifest.read_text())
    entries = [PoolEntry(**entry) for entry in document["entries"]]
    missing = [entry.file for entry in entries if not (Path(root) / entry.file).is_file()]
    if missing:
        raise FileNotFoundError(
            f"The pool at {root} lacks {len(missing)} image files (first: {missing[0]}); rebuild it."
        )
    return Pool(Path(root), entries, tuple(document["methods"]), document.get("provenance", {}))


def next_image(
    pool: Pool, seen: Iterable[str], rng: random.Random, used_sources: Iterable[str] = ()
) -> PoolEntry | None:
    """The next image for a participant who has seen `seen` (and the photos `used_sources`): an unseen photo,
    from a least-shown method."""
    shown = [pool.by_id[image] for image in seen if image in pool.by_id]
    used_sources = {entry.source for entry in shown} | set(used_sources)
    available: dict[str, list[PoolEntry]] = {}
    for entry in pool.entries:
        if entry.source not in used_sources:
            available.setdefault(entry.method, []).append(entry)
    if not available:
        return None
    counts = Counter(entry.method for entry in shown)
    fewest = min(counts[method] for method in available)
    method = rng.choice(sorted(method for method in available if counts[method] == fewest))
    return rng.choice(available[method])


def wrong_colorization(image: Image.Image) -> Image.Image:
    """An obviously wrong colorization of a photo, for catch trials: its hues turned half way round, fully saturated."""
    hue, _, value = image.convert("RGB").convert("HSV").split()
    turned = hue.point(lambda h: (h + 128) % 256)
    return Image.merge("HSV", (turned, Image.new("L", image.size, 255), value)).convert("RGB")


def for_display(image: Image.Image, side: int = DISPLAY_SIDE) -> Image.Image:
    """The image resized (bicubic) so that its longer side is `side` pixels, as participants see it."""
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.convert("RGB").resize(size, Image.Resampling.BICUBIC)


def registry_photos(data: str, count: int, seed: int = 0) -> list[Photo]:
    """`count` held-out color photos of a dataset of the registry (its test split; gray ones left out), drawn with
    `seed`.

    Small photos (Tiny ImageNet's 64 px) are colorized at their own size and enlarged by
    `for_display` when shown; ids are "<data>-test/<index>".
    """
    import torch

    from gan.data import load_dataset

    test = load_dataset(data, "test")
    colored = test.colored()
    order = torch.randperm(len(colored), generator=torch.Generator().manual_seed(seed))[:count]
    return [
        (f"{data}-test/{int(i)}", Image.fromarray(colored.images[i].permute(1, 2, 0).numpy()))
        for i in order.sort().values
    ]


def whole_photos(data: str, count: int, seed: int = 0, side: int = DISPLAY_SIDE) -> list[Photo]:
    """`count` whole photos of bsds500 or folder:PATH (a seeded draw), resized to `side` px on the longer side."""
    from gan.data import photo_files
    from gan.imageio import load_image

    files = photo_files(data)
    chosen = sorted(random.Random(seed).sample(range(len(files)), min(count, len(files))))
    name = "bsds500" if data == "bsds500" else "folder"
    return [(f"{name}/{files[i].stem}", for_display(load_image(files[i]), side)) for i in chosen]


def skimage_photos(names: Sequence[str], side: int = DISPLAY_SIDE) -> list[Photo]:
    """Color photos shipped in scikit-image (e.g. "coffee", "chelsea"), resized to `side` on the longer side."""
    from skimage import data

    photos: list[Photo] = []
    for name in names:
        loader = getattr(data, name, None)
        if loader is None:
            raise ValueError(f"scikit-image has no photo named {name!r}.")
        array = loader()
        if array.ndim != 3 or array.shape[2] != 3:
            raise ValueError(f"scikit-image's {name!r} is not an RGB color photo.")
        photos.append((f"skimage/{name}", for_display(Image.fromarray(array), side)))
    return photos
