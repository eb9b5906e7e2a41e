"""Users' images: every mode becomes 8-bit RGB, every unusable file a sentence."""

import io

import numpy as np
import pytest
from PIL import Image

from gan.imageio import MAX_PIXELS, InvalidImageError, image_pixels, load_image


def saved(image: Image.Image, format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def test_a_text_file_is_not_an_image(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("not a picture")
    with pytest.raises(InvalidImageError, match="not an image"):
        load_image(path)


def test_a_truncated_jpeg_is_reported_as_damaged():
    data = saved(Image.fromarray(np.random.randint(0, 255, (64, 64, 3), dtype=np.uint8)), "JPEG")
    with pytest.raises(InvalidImageError, match="damaged or truncated"):
        load_image(data[: len(data) // 2])


@pytest.mark.parametrize("size", [(1, 40), (40, 1), (7, 7)])
def test_images_thinner_than_eight_pixels_are_refused(size):
    with pytest.raises(InvalidImageError, match="at least 8 pixels"):
        load_image(saved(Image.new("L", size)))


def test_images_over_the_megapixel_limit_are_refused_before_decoding():
    side = int(MAX_PIXELS**0.5) + 10
    with pytest.raises(InvalidImageError, match="downscale"):
        load_image(saved(Image.new("1", (side, side))))


def test_the_pixel_cap_is_sixteen_megapixels_and_a_photo_at_the_cap_loads():
    assert MAX_PIXELS == 16_000_000
    assert load_image(saved(Image.new("1", (4000, 4000)))).size == (4000, 4000)


def test_image_pixels_reads_the_size_from_the_header_without_decoding():
    data = saved(Image.new("L", (3000, 2000)), "JPEG")
    assert image_pixels(data[:2048]) == 6_000_000  # the header alone: the pixel data is cut off


def test_a_missing_file_is_a_sentence_that_names_no_path(tmp_path):
    with pytest.raises(InvalidImageError, match="not found; please upload it again") as refused:
        load_image(tmp_path / "gone.png")
    assert str(tmp_path) not in str(refused.value)


def test_rgba_is_composited_on_white():
    rgba = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    assert load_image(saved(rgba)).getpixel((0, 0)) == (255, 255, 255)


def test_palette_images_become_rgb():
    palette = Image.new("RGB", (10, 10), (0, 128, 255)).convert("P", palette=Image.Palette.ADAPTIVE)
    image = load_image(saved(palette))
    assert image.mode == "RGB" and image.getpixel((3, 3)) == (0, 128, 255)


def test_16_bit_gray_is_rescaled_to_8_bits():
    sixteen = Image.fromarray(np.full((10, 10), 65535, dtype=np.uint16))
    assert load_image(saved(sixteen)).getpixel((0, 0)) == (255, 255, 255)


def test_cmyk_jpeg_becomes_rgb():
    cmyk = Image.new("CMYK", (16, 16), (0, 0, 0, 0))
    image = load_image(saved(cmyk, "JPEG"))
    assert image.mode == "RGB" and min(image.getpixel((8, 8))) > 240


def test_exif_orientation_is_honoured():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    image = load_image(saved(Image.new("L", (40, 20)), "JPEG", exif=exif))
    assert image.size == (20, 40)


def test_no_image_asks_for_one():
    with pytest.raises(InvalidImageError, match="provide an image"):
        load_image(None)
