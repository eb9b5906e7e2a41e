"""What the tabs share: upload and number components, the user-error decorator, validators and output files.

How a tab uses them:

    @user_errors                     # a user's mistake: one sentence for them, one log line here
    @on_gpu(duration=30)
    def run(photo: str | None, model_name: str | None, size: int) -> ...:
        image = load_image(photo)    # InvalidImageError (a ValueError) -> its sentence
        ...
        target = output_path(f"{Path(photo).stem}-color.png")   # cleaned after OUTPUT_MAX_AGE_S
        return str(target)

    size = CheckedSlider(32, 512, step=32, precision=0, label="Prediction size")   # API values checked too

A user's mistake is any `ValueError` (the project's errors for users subclass it: InvalidImageError,
WeightsError, DataError, VoteError, ConfigError) or a `gr.Error`. Anything else is a bug and keeps its
traceback in the log.
"""

from __future__ import annotations

import functools
import inspect
import logging
import math
import numbers
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr
from gradio.components.base import server
from gradio.components.image_editor import AcceptBlobs
from gradio.data_classes import FileData
from PIL import Image

from gan.imageio import MAX_PIXELS, InvalidImageError, image_pixels

log = logging.getLogger("gan_studio.ui")
Handler = TypeVar("Handler", bound=Callable)
LOG_CHARS = 200  # echoed input in a log line
MESSAGE_CHARS = 300  # echoed input in a message to the user
OUTPUT_MAX_AGE_S = 600  # Gradio copies a returned file into its cache at once; our copy is swept after this
_OUTPUTS = Path(tempfile.gettempdir()) / "gan-studio-outputs"


def shorten(text: object, limit: int = LOG_CHARS) -> str:
    """`text` on one line, at most about `limit` characters: echoed input never floods a log or a page."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    return f"{flat[:limit]}… ({len(flat) - limit} more characters)"


def _as_user_error(error: Exception, handler: str) -> gr.Error:
    message = shorten(getattr(error, "message", None) or error, MESSAGE_CHARS)
    log.info("user error in %s: %s", handler, shorten(message))
    return gr.Error(message, print_exception=False)


def user_errors(handler: Handler) -> Handler:
    """Decorator for event handlers: a user's mistake reaches them as its sentence and logs one line, no traceback.

    Catches `ValueError` (and its subclasses) and `gr.Error`; works on plain functions and generators
    (streaming handlers). Put it above `@on_gpu`. Other exceptions pass through with their traceback.
    """
    name = handler.__name__
    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def stream(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from handler(*args, **kwargs)
            except (ValueError, gr.Error) as error:
                raise _as_user_error(error, name) from None

        return stream  # type: ignore[return-value]

    @functools.wraps(handler)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except (ValueError, gr.Error) as error:
            raise _as_user_error(error, name) from None

    return call  # type: ignore[return-value]


def _shown(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def checked_number(value: object, name: str, low: float, high: float, *, integer: bool = False) -> float | int:
    """`value` as a finite number in [low, high] (rounded to an int when `integer`), else ValueError with a sentence.

    None, text, booleans, NaN and infinities are refused, as is anything out of bounds; `name` is the
    parameter as the user knows it (the widget's label), e.g. "Search iterations".
    """
    bounds = f"between {_shown(low)} and {_shown(high)}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number {bounds}; got {shorten(repr(value), 40)}.")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number {bounds}; got {value}.")
    if not low <= value <= high:
        raise ValueError(f"{name} must be {bounds}; got {_shown(float(value))}.")
    return int(round(value)) if integer else float(value)


def checked_choice(value: object, name: str, choices: Iterable[str]) -> str:
    """`value` if it is one of `choices`, else ValueError with a sentence listing (some of) them."""
    options = list(choices)
    if isinstance(value, str) and value in options:
        return value
    listed = ", ".join(options[:8]) + (", …" if len(options) > 8 else "")
    raise ValueError(f"{name} must be one of: {listed}; got {shorten(repr(value), 40)}.")


def checked_files(paths: object, name: str, max_files: int) -> list[str]:
    """Uploaded file paths (a list of 1 to `max_files`), else ValueError with a sentence."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not isinstance(paths, Sequence) or not paths:
        raise ValueError(f"Please upload one or more files as {name}.")
    if len(paths) > max_files:
        raise ValueError(f"{name}: at most {max_files} files at once; got {len(paths)}.")
    return [str(getattr(path, "path", path)) for path in paths]


def checked_records(value: object, name: str, max_items: int, fields: dict[str, tuple[type, ...]]) -> list[dict]:
    """`value` as a list of at most `max_items` dicts whose `fields` have the given types (strings up to
    MESSAGE_CHARS, numbers finite), else ValueError with a sentence: what a handler takes from a client as its state."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > max_items:
        raise ValueError(f"{name} must be a list of at most {max_items} entries.")
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != set(fields):
            raise ValueError(f"{name}: every entry must have exactly the fields {', '.join(fields)}.")
        for field_name, types in fields.items():
            item = entry[field_name]
            if not isinstance(item, types) or isinstance(item, bool) and bool not in types:
                raise ValueError(f"{name}: the field {field_name} has the wrong type.")
            too_long = isinstance(item, str) and len(item) > MESSAGE_CHARS
            if too_long or isinstance(item, float) and not math.isfinite(item):
                raise ValueError(f"{name}: the field {field_name} is out of range.")
    return value


def _checked_payload(component: gr.Slider | gr.Number, payload: object) -> float | int:
    try:
        return checked_number(
            payload,
            component.label or "This value",
            component.minimum,
            component.maximum,
            integer=component.precision == 0,
        )
    except ValueError as error:
        raise _as_user_error(error, f"{type(component).__name__} {shorten(component.label, 40)}") from None


class CheckedSlider(gr.Slider):
    """A `gr.Slider` whose value is checked on the server, API calls included: a number within its bounds, or a
    sentence.

    Gradio's own slider passes None, NaN and text on to a traceback; this one answers them with
    `checked_number`'s sentence, named by its label. `precision=0` hands the handler an int.
    """

    def get_block_name(self) -> str:
        """Rendered by the frontend of `gr.Slider`."""
        return "slider"

    def preprocess(self, payload: object) -> float | int:
        """The checked value."""
        return _checked_payload(self, payload)


class CheckedNumber(gr.Number):
    """A `gr.Number` that must be given `minimum` and `maximum`; its value is checked like `CheckedSlider`'s."""

    def __init__(self, value: float | None = None, *, minimum: float, maximum: float, **kwargs: Any) -> None:
        super().__init__(value, minimum=minimum, maximum=maximum, **kwargs)

    def get_block_name(self) -> str:
        """Rendered by the frontend of `gr.Number`."""
        return "number"

    def get_config(self, cls: type | None = None) -> dict[str, Any]:
        """gr.Number's configuration (its label, bounds, ...): Gradio reads it from the signature of `cls`, and ours
        hides them in **kwargs."""
        return super().get_config(cls or gr.Number)

    def preprocess(self, payload: object) -> float | int:
        """The checked value."""
        return _checked_payload(self, payload)


def output_path(filename: str) -> Path:
    """A fresh path named `filename` for a file the handler returns; files older than OUTPUT_MAX_AGE_S are removed.

    Gradio copies returned files into its own cache (cleaned by the app's `delete_cache`), so the
    handler's copy is only needed for a moment: here it is swept on a later call instead of kept forever.
    """
    _sweep_outputs(time.time() - OUTPUT_MAX_AGE_S)
    folder = _OUTPUTS / uuid.uuid4().hex
    folder.mkdir(parents=True)
    name = Path(filename)
    return folder / f"{''.join(c if c.isalnum() or c in '-_' else '_' for c in name.stem[:60])}{name.suffix[:10]}"


def _sweep_outputs(older_than: float) -> None:
    if not _OUTPUTS.is_dir():
        return
    for folder in _OUTPUTS.iterdir():
        try:
            if folder.stat().st_mtime < older_than:
                for file in folder.iterdir():
                    file.unlink()
                folder.rmdir()
        except OSError:  # swept by a concurrent call, or not ours to remove
            continue


class ImageFileInput(gr.Image):
    """An image upload that hands the handler the uploaded file's path untouched.

    `gr.Image` opens every upload with PIL before the handler runs, so a file that is not an image
    (or a truncated one) fails inside Gradio with a generic message. This component leaves reading to
    the handler (`gan.imageio.load_image`), which answers such files with a sentence.
    """

    def get_block_name(self) -> str:
        """Rendered by the frontend of `gr.Image`."""
        return "image"

    def preprocess(self, payload):
        """The uploaded file's path (inline data URLs, as from the webcam, are decoded as usual)."""
        if payload is None or payload.path is None or (payload.url or "").startswith("data:"):
            return super().preprocess(payload)
        return str(payload.path)


EDITOR_SLOTS = 6  # layers taken from the editor at most: its mask needs one
EDITOR_PENDING = 16  # editor values (blob sets) kept between the browser's upload and the event that reads them
UNREADABLE_EDITOR_VALUE = "The editor sent an image this app cannot read; please upload it again."


def _checked_slot(slot: object, limit: int) -> None:
    """A slot of an editor payload: its size read from the header (nothing decoded), or InvalidImageError."""
    if slot is None:
        return
    source = slot.path if isinstance(slot, FileData) else slot if isinstance(slot, bytes) else None
    if source is None:
        raise InvalidImageError("The editor sent something that is not an image; please upload the photo again.")
    with warnings.catch_warnings():  # PIL warns of a bomb at open; the check below refuses it
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        pixels = image_pixels(source)
    if pixels > limit:
        megapixels = limit // 1_000_000
        raise InvalidImageError(f"This image is larger than {megapixels} megapixels; please downscale it first.")


class CheckedImageMask(gr.ImageMask):
    """A `gr.ImageMask` that reads the size of the background, the layers and the composite from their headers
    before Gradio decodes any of them: an image over `MAX_PIXELS` (or not an image at all) gets a sentence and
    costs a header's read, not gigabytes of pixels."""

    def get_block_name(self) -> str:
        """Rendered by the frontend of `gr.ImageMask`."""
        return "imageeditor"

    def preprocess(self, payload):
        """The editor's value (background, layers, composite), decoded only once every slot passed the header check."""
        try:
            return self._checked_preprocess(payload)
        except InvalidImageError as error:
            log.info("user error in %s: %s", shorten(self.label, 40), error)
            raise gr.Error(str(error), print_exception=False) from None

    def _checked_preprocess(self, payload):
        if payload is None:
            return None
        if payload.id is not None and payload.id in self.__dict__.get("_refused", {}):
            raise InvalidImageError(self.__dict__["_refused"].pop(payload.id))
        slots = self.blob_storage.get(payload.id) if payload.id is not None else payload
        if slots is not None:
            layers = list(slots.layers or [])
            try:
                if len(layers) > EDITOR_SLOTS:
                    raise InvalidImageError(f"The editor sent {len(layers)} layers; at most {EDITOR_SLOTS} are taken.")
                for slot in (slots.background, slots.composite, *layers):
                    _checked_slot(slot, MAX_PIXELS)
            except InvalidImageError:
                if payload.id is not None:
                    self.blob_storage.pop(payload.id, None)
                raise
        try:
            return super().preprocess(payload)
        except (OSError, SyntaxError, ValueError) as error:
            raise InvalidImageError("This image file is damaged or truncated and cannot be decoded.") from error

    @server
    def accept_blobs(self, data: AcceptBlobs) -> None:
        """Keep one image the browser sends ahead of an event once its header passed (a few values at most); a refused
        one is remembered, so that the event reading it answers with the sentence."""
        fields = data.data if isinstance(getattr(data, "data", None), dict) else {}
        value_id = str(fields.get("id") or "")[:64]
        try:
            if not value_id:
                raise InvalidImageError("The editor sent an image without its id; please upload it again.")
            _checked_slot(data.files[0][1] if data.files else None, MAX_PIXELS)
            index = fields.get("index")
            if fields.get("type") == "layer" and index not in (None, "null") and int(index) >= EDITOR_SLOTS:
                raise InvalidImageError(f"The editor takes at most {EDITOR_SLOTS} layers.")
            while len(self.blob_storage) >= EDITOR_PENDING and value_id not in self.blob_storage:
                self.blob_storage.pop(next(iter(self.blob_storage)))
            super().accept_blobs(data)
        except (InvalidImageError, IndexError, KeyError, TypeError, ValueError) as error:
            self.blob_storage.pop(value_id, None)
            refused = self.__dict__.setdefault("_refused", {})
            while len(refused) >= EDITOR_PENDING:
                refused.pop(next(iter(refused)))
            refused[value_id] = str(error) if isinstance(error, InvalidImageError) else UNREADABLE_EDITOR_VALUE
            log.info("refused an image sent to %s: %s", shorten(self.label, 40), shorten(refused[value_id]))
