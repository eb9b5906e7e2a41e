"""What the prior sees: the square of the photo a fill is made in (its frame), and the faces that decide it.

A prior trained on whole 64×64 images fills best when it is shown a whole image of its kind. For a face
prior the frame is the face, framed as its training faces were (UTKFace's aligned crops): the face box
found by dlib's HOG frontal-face detector (it ships inside the `dlib-bin` wheel, no model file) grown to
`FACE_FRAME` of its width; a photo that already is such a crop (UTKFace's own 200×200 test faces) is framed whole.
The detector was chosen by measurement: OpenCV 5's wheels carry no Haar cascade detector any more
(`cv2.CascadeClassifier` is gone), while dlib's finds 99.3 % of 300 UTKFace test faces at 200×200 and the
portrait of Grace Hopper (examples/inpaint/grace-hopper.jpg). A photo
prior (or a face prior meeting a photo with no face) frames the hole with `context` of its longer side
of known pixels around it, as the prior's training crops of scenes were cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from inpaint.images import Box, hole_box

FACE_FRAME = 1.11
"""A UTKFace crop's side ÷ the width of dlib's face box in it (median over 300 test faces; 10–90 %: 1.0–1.33)."""
FACE_OFFSET = -0.025
"""Where a UTKFace crop's centre sits from the face box's centre, as a share of the crop's side (both axes)."""
WHOLE_PHOTO = 0.1
"""A face whose frame is within this share of the whole photo (a nearly square photo) is framed by the whole photo."""
DETECTOR_SIDE = 640
"""Photos are searched for faces at most this large (longer side), which keeps detection under a tenth of a second."""


@dataclass
class Framing:
    """The square the fill is made in, and how it was chosen: "face", "photo" (hole context) or "whole" (the photo)."""

    box: Box
    kind: str
    note: str = ""


@cache
def _detector():
    import dlib

    return dlib.get_frontal_face_detector()


def find_faces(image: np.ndarray) -> list[Box]:
    """Frontal faces of an RGB uint8 photo as (top, left, bottom, right) boxes, largest first."""
    scale = min(1.0, DETECTOR_SIDE / max(image.shape[:2]))
    small = image[..., :3]
    if scale < 1:
        import cv2

        small = cv2.resize(
            small, (round(image.shape[1] * scale), round(image.shape[0] * scale)), interpolation=cv2.INTER_AREA
        )
    found = _detector()(np.ascontiguousarray(small), 0)
    boxes = [tuple(round(v / scale) for v in (r.top(), r.left(), r.bottom(), r.right())) for r in found]
    return sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)


def square_in(height: int, width: int, centre_y: float, centre_x: float, side: int) -> Box:
    """A `side` square centred as near (centre_y, centre_x) as the photo allows (shrunk to its shorter side)."""
    side = min(side, height, width)
    top = int(np.clip(round(centre_y - side / 2), 0, height - side))
    left = int(np.clip(round(centre_x - side / 2), 0, width - side))
    return top, left, top + side, left + side


def face_frame(face: Box, height: int, width: int) -> Box:
    """The UTKFace-like square around a face box, inside the photo."""
    top, left, bottom, right = face
    side = round(FACE_FRAME * (right - left))
    offset = FACE_OFFSET * side
    return square_in(height, width, (top + bottom) / 2 + offset, (left + right) / 2 + offset, side)


def contains(outer: Box, inner: Box) -> bool:
    """Whether box `inner` lies inside box `outer`."""
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def context_frame(hole: np.ndarray, minimum: int, context: float) -> Box:
    """The hole's box grown by `context` of its longer side each way (at least `minimum`), square where it fits."""
    height, width = hole.shape
    top, left, bottom, right = hole_box(hole)
    longest = max(bottom - top, right - left)
    side = max(longest + 2 * math.ceil(longest * context), minimum)
    box_h, box_w = min(height, side), min(width, side)
    y0 = int(np.clip((top + bottom) // 2 - box_h // 2, 0, height - box_h))
    x0 = int(np.clip((left + right) // 2 - box_w // 2, 0, width - box_w))
    return y0, x0, y0 + box_h, x0 + box_w


def is_face_crop(framed: Box, height: int, width: int) -> bool:
    """Whether a face's frame is (nearly) the whole photo: within WHOLE_PHOTO of square and of the frame's side."""
    side = framed[2] - framed[0]
    return abs(height - width) <= WHOLE_PHOTO * max(height, width) and side >= (1 - WHOLE_PHOTO) * min(height, width)


def frame_faces(image: np.ndarray, hole: np.ndarray, faces: list[Box]) -> Box | None:
    """The frame of the largest face whose frame holds the hole (the whole photo for a face crop), or None."""
    box = hole_box(hole)
    height, width = hole.shape
    for face in faces:
        framed = face_frame(face, height, width)
        if is_face_crop(framed, height, width):
            return 0, 0, height, width
        if contains(framed, box):
            return framed
    return None
