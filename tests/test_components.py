"""What the tabs share: user mistakes become one sentence and one log line; numbers, choices and files are checked."""

from __future__ import annotations

import logging
import math
import os
import time

import gradio as gr
import pytest

from ui.components import (
    CheckedNumber,
    CheckedSlider,
    checked_choice,
    checked_files,
    checked_number,
    output_path,
    shorten,
    user_errors,
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Search iterations must be a number between 20 and 1000; got None."),
        ("300", "Search iterations must be a number between 20 and 1000; got '300'."),
        (True, "Search iterations must be a number between 20 and 1000; got True."),
        (math.nan, "Search iterations must be a finite number between 20 and 1000; got nan."),
        (math.inf, "Search iterations must be a finite number between 20 and 1000; got inf."),
        (1e30, "Search iterations must be between 20 and 1000; got 1e+30."),
        (19, "Search iterations must be between 20 and 1000; got 19."),
    ],
)
def test_a_number_that_is_not_finite_and_within_bounds_is_a_sentence(value, message):
    with pytest.raises(ValueError) as refused:
        checked_number(value, "Search iterations", 20, 1000, integer=True)
    assert str(refused.value) == message


def test_a_number_within_bounds_comes_back_as_int_or_float():
    assert checked_number(300.4, "Search iterations", 20, 1000, integer=True) == 300
    assert isinstance(checked_number(300.4, "Search iterations", 20, 1000, integer=True), int)
    assert checked_number(-0.25, "Threshold", -1, 1) == -0.25


def test_echoed_text_in_a_sentence_is_truncated():
    with pytest.raises(ValueError) as refused:
        checked_number("x" * 100_000, "Steps", 1, 10)
    assert len(str(refused.value)) < 150


def test_a_choice_outside_the_list_is_a_sentence_listing_the_choices():
    assert checked_choice("yeh", "Search loss", ["contextual", "yeh"]) == "yeh"
    with pytest.raises(ValueError, match=r"^Search loss must be one of: contextual, yeh; got None\.$"):
        checked_choice(None, "Search loss", ["contextual", "yeh"])


def test_file_lists_are_bounded():
    assert checked_files("a.png", "images", 3) == ["a.png"]
    with pytest.raises(ValueError, match="Please upload one or more files as images"):
        checked_files([], "images", 3)
    with pytest.raises(ValueError, match="images: at most 3 files at once; got 4"):
        checked_files(["a", "b", "c", "d"], "images", 3)


def test_checked_widgets_answer_bad_api_values_with_their_label_and_pass_good_ones():
    slider = CheckedSlider(1, 16, value=8, step=1, precision=0, label="Random restarts")
    number = CheckedNumber(300, minimum=20, maximum=1000, precision=0, label="Search iterations")
    assert slider.preprocess(8.0) == 8 and number.preprocess(50) == 50
    for widget, bad, message in [
        (slider, None, "Random restarts must be a number"),
        (number, 8192, "Search iterations must be between 20 and 1000"),
    ]:
        with pytest.raises(gr.Error) as refused:
            widget.preprocess(bad)
        assert refused.value.message.startswith(message) and refused.value.print_exception is False


def test_a_user_mistake_becomes_its_sentence_and_one_short_log_line(caplog):
    @user_errors
    def colorize(name: str) -> str:
        raise ValueError(f"No model named {name}.")

    with caplog.at_level(logging.INFO, logger="gan_studio.ui"), pytest.raises(gr.Error) as shown:
        colorize("x" * 100_000)
    assert shown.value.print_exception is False and len(shown.value.message) < 400
    assert [(r.name, r.exc_info) for r in caplog.records] == [("gan_studio.ui", None)]
    assert (
        caplog.records[0].getMessage().startswith("user error in colorize: No model named xxx")
        and len(caplog.text) < 400
    )


def test_streaming_handlers_keep_their_updates_and_their_mistakes_become_sentences():
    @user_errors
    def steps(n: int):
        yield from range(n)
        raise gr.Error("Stopped: the search lost its photo.")

    updates = []
    with pytest.raises(gr.Error, match="Stopped: the search lost its photo.") as shown:
        for update in steps(3):
            updates.append(update)
    assert updates == [0, 1, 2] and shown.value.print_exception is False


def test_bugs_keep_their_traceback():
    @user_errors
    def broken() -> None:
        raise KeyError("a developer's mistake")

    with pytest.raises(KeyError):
        broken()


def test_shorten_keeps_one_line():
    assert shorten("two\nlines\r\n and  spaces") == "two lines and spaces"
    assert shorten("y" * 1000, 10) == "yyyyyyyyyy… (990 more characters)"


def test_returned_files_get_fresh_paths_and_old_ones_are_swept():
    old = output_path("photo (1).png")
    old.write_bytes(b"png")
    assert old.name == "photo__1_.png"
    hour_ago = time.time() - 3600
    os.utime(old.parent, (hour_ago, hour_ago))
    new = output_path("photo (1).png")
    assert new.parent != old.parent and not old.exists() and new.parent.parent == old.parent.parent


def test_checked_widgets_show_their_label_and_bounds_in_the_page():
    with gr.Blocks():
        slider = CheckedSlider(1, 16, value=8, step=1, precision=0, label="Random restarts")
        number = CheckedNumber(0, minimum=0, maximum=99, precision=0, label="Seed of the scratch")
    for widget, label in [(slider, "Random restarts"), (number, "Seed of the scratch")]:
        config = widget.get_config()
        assert (config["label"], config["minimum"], config["maximum"]) == (label, widget.minimum, widget.maximum)
