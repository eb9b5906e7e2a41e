"""Inpainting and super-resolution of user images with a prior of fixed size: the `Inpainter` pipeline.

    inpainter = Inpainter.from_pretrained("inpaint-faces", device="cpu")
    result = inpainter.inpaint(photo, hole)      # InpaintResult: image, fill, note, classical, frame, ...
    result = inpainter.super_resolve(photo, 4)   # SuperResolutionResult: image, bicubic, note, ...

A fill is made in a frame the prior knows (inpaint.framing): for a face prior the face, framed as its training
faces were (the whole photo when the photo is a face crop), found on the photo with its hole filled classically so
that the hole's old content never guides it; for a photo prior the hole with `PHOTO_CONTEXT` of known pixels around
it. The frame is resized to the prior's size, the latent search fills it there, and G(z*) is enlarged back to the
frame's size and Poisson-blended into the hole at full resolution, keeping the share of its detail measured best
for the prior (inpaint.settings.FILL_DETAILS), so pixels outside the hole never change.
By default each hole gets the fill the measured rule gives it (inpaint.choice): the latent search for holes wide
enough at the prior's scale (and, with a photo prior, for thin strokes across texture), the classical fill
(scikit-image's biharmonic, the best classical fill measured) for scratches, other thin strokes and small holes, and
for a face prior meeting a photo with no face; the result says which, and why. Super-resolution frames the face of
a photo of any size, shrinks that frame to the prior's size ÷ factor and enlarges it by latent search, back-projected
onto the shrunk input (shrinking the result gives it back). The `*_steps` generators report G(z) while searching.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from gan.imageio import MAX_PIXELS
from gan.pipeline import Pipeline
from inpaint.baselines import BASELINES
from inpaint.blend import poisson_blend
from inpaint.choice import choose_fill
from inpaint.framing import Framing, context_frame, face_frame, find_faces, frame_faces, square_in
from inpaint.images import Box, frame, hole_box, resize, to_array, to_tensor, to_uint8, unframe
from inpaint.masks import check_mask
from inpaint.operators import DownsampleOperator, MaskOperator
from inpaint.prior import InpaintPrior
from inpaint.search import SearchConfig, search_steps
from inpaint.settings import SR_Z_WEIGHT, fill_detail

MAX_UPSCALE = 8
"""A fill made at the prior's content size is enlarged at most this much into a photo prior's context frame."""
PHOTO_CONTEXT = 1.0
"""Known border around the hole in a photo prior's frame, as a share of the hole's longer side on each side."""
CLASSICAL = "skimage-biharmonic"
FILLS = ("auto", "gan", "classical")
"""auto: the measured rule per hole (inpaint.choice); gan: always the latent search; classical: always biharmonic."""
FACE_DATASETS = ("utkface", "celeba")
"""Priors trained on these datasets are face priors: they frame the face."""
SR_FACTORS = (2, 4)


@dataclass
class InpaintResult:
    """A filled photo (the input outside the hole), which fill made it and why, and the classical fill beside it."""

    image: np.ndarray
    classical: np.ndarray
    classical_method: str
    crop: Box
    loss: float
    model: str
    source: str
    seconds: float
    fill: str = "gan"
    framing: str = "photo"
    note: str = ""


@dataclass
class SuperResolutionResult:
    """An enlarged image, bicubic enlargement of the same input, and how it was made."""

    image: np.ndarray
    bicubic: np.ndarray
    factor: int
    loss: float
    model: str
    source: str
    seconds: float
    note: str = ""


@dataclass
class Progress:
    """One report of a running search: G(z) now (at the prior's size), and the result with the last report."""

    step: int
    total: int
    preview: np.ndarray
    loss: float
    result: InpaintResult | SuperResolutionResult | None = None

    @property
    def done(self) -> bool:
        """Whether this is the last report, carrying the result."""
        return self.result is not None


def last(reports: Iterator[Progress]) -> InpaintResult | SuperResolutionResult:
    """The result carried by the last report of a search."""
    progress = None
    for progress in reports:
        pass
    return progress.result


def box_words(box: Box) -> str:
    """A box in words: "the 200×200 square at (0, 0)"."""
    top, left, bottom, right = box
    return f"the {right - left}×{bottom - top} px frame at ({left}, {top})"


class Inpainter(Pipeline):
    """A WGAN-GP prior loaded by name; fills holes of photos of any size and enlarges faces."""

    model_class = InpaintPrior
    model: InpaintPrior

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.model.requires_grad_(False)
        self.photo_context = PHOTO_CONTEXT
        self.detail = fill_detail(self.name)

    @property
    def is_face_prior(self) -> bool:
        """Whether the prior was trained on faces, and so frames the face of a photo."""
        return self.model.dataset in FACE_DATASETS

    @property
    def is_photo_prior(self) -> bool:
        """Whether the prior was trained on colour photos other than faces (the kind the texture rule was measured
        for)."""
        return self.model.channels == 3 and not self.is_face_prior

    @property
    def max_hole_side(self) -> int:
        """The longest hole side (pixels) a photo prior's search fills: its frame is enlarged at most MAX_UPSCALE×."""
        return int(MAX_UPSCALE * self.model.content_size / (1 + 2 * self.photo_context))

    def max_input_side(self, factor: int) -> int:
        """The side super-resolution by `factor` shrinks its frame to: the prior's size ÷ factor."""
        return self.model.image_size // factor

    def check_inpaint(self, image: np.ndarray, hole: np.ndarray) -> np.ndarray:
        """The hole as HxW bool if this photo and hole can be filled, else ValueError with a sentence."""
        check_pixels(image)
        hole = check_mask(hole, image.shape)
        if not hole.any():
            raise ValueError("The mask is empty: paint over the region to fill, or apply a preset.")
        return hole

    def framing(self, image: np.ndarray, hole: np.ndarray, photo: np.ndarray | None = None) -> Framing:
        """The frame this prior fills `hole` of `image` in (`image`: the photo with its hole filled classically).

        Faces are searched on `image`, so that the hole's old content never guides the frame; where that finds no
        face around the hole (a hole over the middle of a small face crop leaves no face to find), on `photo`, the
        photo as given, when there is one.
        """
        context = context_frame(hole, self.model.content_size, self.photo_context)
        if not self.is_face_prior:
            return Framing(context, "photo")
        faces = find_faces(image)
        face = frame_faces(image, hole, faces)
        if face is None and photo is not None:
            given = find_faces(photo)
            face = frame_faces(photo, hole, given)
            faces = faces or given
        if face is not None:
            return Framing(face, "face")
        found = "no face" if not faces else "no face around the hole"
        return Framing(
            context, "none", f"{self.name} knows faces, and this photo shows {found} (dlib's frontal-face detector)"
        )

    def frame_fits(self, hole: np.ndarray, box: Box) -> bool:
        """Whether a context frame holds the whole hole and is at most MAX_UPSCALE times the prior's size."""
        top, left, bottom, right = hole_box(hole)
        frame_top, frame_left, frame_bottom, frame_right = box
        inside = frame_top <= top and frame_left <= left and frame_bottom >= bottom and frame_right >= right
        return (
            inside and max(frame_bottom - frame_top, frame_right - frame_left) <= MAX_UPSCALE * self.model.content_size
        )

    def check_frame(self, hole: np.ndarray, box: Box) -> None:
        """ValueError with a sentence when the hole is too large for a context frame of this prior."""
        if not self.frame_fits(hole, box):
            top, left, bottom, right = hole_box(hole)
            side = self.model.content_size
            raise ValueError(
                f"The hole spans {right - left}×{bottom - top} pixels, too large for the prior {self.name}: "
                f"it fills holes up to {self.max_hole_side}×{self.max_hole_side} pixels (it works at {side}×{side}). "
                "Paint a smaller hole, downscale the photo, or choose the classical fill."
            )

    def inpaint_steps(
        self, image: np.ndarray, hole: np.ndarray, config: SearchConfig | None = None, fill: str = "auto"
    ) -> Iterator[Progress]:
        """Fill `hole` (HxW bool, True = unknown) of `image` (HxWx3 uint8) by `fill`; report, the result last."""
        if fill not in FILLS:
            raise ValueError(f"The fill must be one of {', '.join(FILLS)}; got {fill!r}.")
        hole = self.check_inpaint(image, hole)
        config = config or SearchConfig()
        started = time.perf_counter()
        photo = image[..., :3]
        classical = to_uint8(np.clip(BASELINES[CLASSICAL](photo / 255.0, hole), 0, 1))
        framing = self.framing(classical, hole, photo)
        box = framing.box
        fits = framing.kind == "face" or self.frame_fits(hole, box)
        if fill == "auto":
            choice = choose_fill(photo, hole, box, self.model.content_size, self.is_photo_prior)
            use_gan = framing.kind != "none" and fits and choice.gan
        else:
            use_gan = fill == "gan"
        if use_gan and framing.kind != "face":
            self.check_frame(hole, box)
        framed = {
            "face": "framed the face",
            "photo": "framed the hole with its surroundings",
            "none": "framed the hole with its surroundings",
        }[framing.kind]
        if not use_gan:
            if framing.kind == "none" and fill == "auto":
                why = f"{framing.note}, so it filled the hole classically; pick a photo prior for scenes"
            elif fill == "auto" and not fits:
                why = f"the hole is too large for {self.name}'s search, which fills holes up to {self.max_hole_side} px"
            elif fill == "auto":
                why = choice.why
            else:
                why = "as asked"
            note = f"Classical fill ({CLASSICAL}): {why}."
            result = InpaintResult(
                classical,
                classical,
                CLASSICAL,
                box,
                math.nan,
                self.name,
                str(self.source),
                time.perf_counter() - started,
                CLASSICAL,
                framing.kind,
                note,
            )
            preview = to_uint8(
                resize(classical[box[0] : box[2], box[1] : box[3]] / 255.0, (self.model.content_size,) * 2)
            )
            yield Progress(config.iterations, config.iterations, preview, math.nan, result)
            return
        prior, size = self.model, (self.model.content_size, self.model.content_size)
        top, left, bottom, right = box
        crop = photo[top:bottom, left:right].astype(np.float64) / 255.0
        crop_hole = hole[top:bottom, left:right]
        y = frame(to_tensor(resize(crop, size), prior.channels), prior, -1.0).to(self.device)
        small_hole = frame(
            torch.from_numpy(resize(crop_hole.astype(np.float32), size) > 1e-3).float()[None, None], prior, 0.0
        )
        operator = MaskOperator(small_hole.to(self.device), window=config.window, loss=config.loss, beta=config.beta)
        for state in search_steps(prior, operator, operator(y), config):
            preview = to_uint8(to_array(unframe(state.images, prior)))
            if state.step < config.iterations:
                yield Progress(state.step, config.iterations, preview, state.loss.mean().item())
        generated = resize(to_array(unframe(state.images, prior)), crop_hole.shape)
        filled = photo.copy()
        filled[top:bottom, left:right] = to_uint8(np.clip(poisson_blend(generated, crop, crop_hole, self.detail), 0, 1))
        filled[~hole] = photo[~hole]
        if framing.kind == "none":
            why = f"{framing.note}; the GAN fill was forced, in {box_words(box)} around the hole"
        else:
            why = f"{framed} ({box_words(box)}), filled it at {size[0]}×{size[1]} and Poisson-blended it into the hole"
            if self.detail != 1:
                why += f", keeping {self.detail:.0%} of its detail"
            if fill == "auto":
                why += f"; {choice.why}"
        loss = state.loss.mean().item()
        result = InpaintResult(
            filled,
            classical,
            CLASSICAL,
            box,
            loss,
            self.name,
            str(self.source),
            time.perf_counter() - started,
            "gan",
            framing.kind,
            f"GAN fill: {why}.",
        )
        yield Progress(config.iterations, config.iterations, preview, loss, result)

    def inpaint(
        self, image: np.ndarray, hole: np.ndarray, config: SearchConfig | None = None, fill: str = "auto"
    ) -> InpaintResult:
        """Fill `hole` of `image` by `fill` (the measured choice by default), beside the classical fill."""
        return last(self.inpaint_steps(image, hole, config, fill))

    __call__ = inpaint

    def super_resolution_frame(self, image: np.ndarray, factor: int) -> tuple[Box, str]:
        """The square of `image` super-resolution enlarges, and how it was chosen, in words."""
        height, width = image.shape[:2]
        side = self.max_input_side(factor)
        if max(height, width) <= side:
            return (0, 0, height, width), f"the whole {width}×{height} px image"
        faces = find_faces(image[..., :3]) if self.is_face_prior else []
        if faces:
            box = face_frame(faces[0], height, width)
            return box, f"the face ({box_words(box)})"
        box = square_in(height, width, height / 2, width / 2, min(height, width))
        found = "no face was found, so " if self.is_face_prior else ""
        return box, f"{found}the central square ({box_words(box)})"

    def check_super_resolve(self, image: np.ndarray, factor: int) -> None:
        """Nothing if `image` can be enlarged `factor` times by this prior, else ValueError with a sentence."""
        check_pixels(image)
        if factor not in SR_FACTORS:
            raise ValueError(
                f"The super-resolution factor must be one of {', '.join(map(str, SR_FACTORS))}; got {factor}."
            )

    def super_resolve_steps(
        self, image: np.ndarray, factor: int = 4, config: SearchConfig | None = None
    ) -> Iterator[Progress]:
        """Enlarge the face (or all of a small image) of a photo of any size `factor` times; report as inpaint_steps."""
        self.check_super_resolve(image, factor)
        config = config or SearchConfig(z_weight=SR_Z_WEIGHT)
        started = time.perf_counter()
        box, what = self.super_resolution_frame(image, factor)
        top, left, bottom, right = box
        side = self.max_input_side(factor)
        crop = image[top:bottom, left:right, :3].astype(np.float64) / 255.0
        height, width = crop.shape[:2]
        if max(height, width) <= side:
            scale = self.model.image_size / side
            out_size, shrunk = (round(height * scale), round(width * scale)), ""
        else:
            out_size, shrunk = (self.model.image_size,) * 2, f", shrunk to {side}×{side}"
        small = resize(crop, (side, side)) if (height, width) != (side, side) else crop
        y = to_tensor(small, self.model.channels).to(self.device)
        operator = DownsampleOperator(factor)
        for state in search_steps(self.model, operator, y, config):
            preview = to_uint8(to_array(state.images))
            if state.step < config.iterations:
                yield Progress(state.step, config.iterations, preview, state.loss.mean().item())
        enlarged = to_uint8(np.clip(resize(to_array(operator.back_project(state.images, y)), out_size), 0, 1))
        bicubic = to_uint8(np.clip(resize(small, out_size), 0, 1))
        note = f"Enlarged {what}{shrunk}, ×{factor} to {out_size[1]}×{out_size[0]} px by latent search, back-projected."
        loss = state.loss.mean().item()
        result = SuperResolutionResult(
            enlarged, bicubic, factor, loss, self.name, str(self.source), time.perf_counter() - started, note
        )
        yield Progress(config.iterations, config.iterations, preview, loss, result)

    def super_resolve(
        self, image: np.ndarray, factor: int = 4, config: SearchConfig | None = None
    ) -> SuperResolutionResult:
        """The face of `image` (or all of a small image) enlarged `factor` times, beside bicubic."""
        return last(self.super_resolve_steps(image, factor, config))


def check_pixels(image: np.ndarray) -> None:
    """Nothing if `image` is an HxWx3/4 array within the photo pixel cap, else ValueError with a sentence."""
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(
            f"The photo must be an 8-bit RGB image (height × width × 3), "
            f"not a {image.dtype} array of shape {image.shape}."
        )
    if image.shape[0] * image.shape[1] > MAX_PIXELS:
        raise ValueError(
            f"This photo has {image.shape[0] * image.shape[1] / 1e6:.0f} megapixels; "
            f"the limit is {MAX_PIXELS // 1_000_000}. Please downscale it first."
        )
