"""Figures of labelled image tiles in rows (the showcases of the README): one tile per image, a caption strip above
it."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw

LABEL_HEIGHT = 18


def labelled(
    image: Image.Image, text: str, side: int, resample: Image.Resampling = Image.Resampling.LANCZOS
) -> Image.Image:
    """`image` scaled to `side` px on its longer side (up or down, with `resample`), with `text` on a white strip above
    it."""
    scale = side / max(image.size)
    image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), resample)
    tile = Image.new("RGB", (image.width, image.height + LABEL_HEIGHT), "white")
    tile.paste(image.convert("RGB"), (0, LABEL_HEIGHT))
    ImageDraw.Draw(tile).text((4, 3), text, fill="black")
    return tile


def contact_sheet(rows: Sequence[Sequence[Image.Image]]) -> Image.Image:
    """The tiles of `rows` on one white sheet, a row each, in columns as wide as the widest tile."""
    width = max(tile.width for row in rows for tile in row)
    heights = [max(tile.height for tile in row) for row in rows]
    sheet = Image.new("RGB", (width * max(len(row) for row in rows), sum(heights)), "white")
    top = 0
    for row, height in zip(rows, heights):
        for column, tile in enumerate(row):
            sheet.paste(tile, (column * width, top))
        top += height
    return sheet
