"""The explorers build and update without a front end; their plain twins print the same text."""

from __future__ import annotations

import html
import inspect
import itertools
import re
from collections.abc import Iterator

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import pytest

from dilconv_lib import effective_kernel_size, i18n, receptive_fields, sampling_pattern
from dilconv_lib import widgets as explorers
from dilconv_lib.receptive import count_holes
from dilconv_lib.widgets import (
    parse_dilations,
    sampling_explorer,
    sampling_text,
    show_sampling,
    show_stack,
    stack_explorer,
    stack_text,
)

matplotlib.use("Agg")  # draw without a display

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """These tests read the English texts, whatever DILCONV_LANG says (tests/test_figures_i18n.py: Chinese)."""
    i18n.set_language("en")
    try:
        yield
    finally:
        i18n.set_language(None)


def test_the_module_exports_every_public_function_and_counts_its_explorers() -> None:
    public = {
        name
        for name, value in vars(explorers).items()
        if inspect.isfunction(value) and value.__module__ == explorers.__name__ and not name.startswith("_")
    }
    assert public == set(explorers.__all__)
    assert {"backbone_text", "backbone_figure", "backbone_explorer", "show_backbone"} <= public
    count = sum(name.endswith("_explorer") for name in public)
    assert count == 3 and (explorers.__doc__ or "").startswith("Three explorers")


def parts(box: widgets.VBox) -> tuple[list[widgets.Widget], widgets.HTML, widgets.Image]:
    """(controls, text, image) of an explorer."""
    controls, text, image = box.children
    assert isinstance(text, widgets.HTML) and isinstance(image, widgets.Image)
    return list(controls.children), text, image


def shown(text: widgets.HTML) -> str:
    """The text an HTML widget shows inside its <pre>."""
    match = re.fullmatch(r"<pre>(.*)</pre>", text.value, flags=re.DOTALL)
    assert match, text.value
    return html.unescape(match[1])


def test_sampling_explorer_builds_with_int_sliders() -> None:
    box = sampling_explorer()
    controls, text, image = parts(box)
    assert [type(c) for c in controls] == [widgets.IntSlider, widgets.IntSlider]
    assert [c.description for c in controls] == ["kernel size", "dilation"]
    assert shown(text) == sampling_text(3, 2)
    assert bytes(image.value).startswith(PNG_MAGIC)


def test_sampling_explorer_follows_its_sliders() -> None:
    (k_slider, d_slider), text, image = parts(sampling_explorer())
    before_text, before_png = text.value, image.value
    d_slider.value = 3
    assert shown(text) == sampling_text(3, 3) != html.unescape(before_text)
    assert "7x7" in shown(text) and image.value != before_png
    k_slider.value = 5
    assert shown(text) == sampling_text(5, 3)
    assert f"effective kernel size: 3 * (5 - 1) + 1 = {effective_kernel_size(5, 3)}" in shown(text)


@pytest.mark.parametrize("k, d", [(1, 1), (3, 1), (3, 3), (2, 4), (7, 8)])
def test_sampling_text_holds_the_pattern_and_sizes(k: int, d: int) -> None:
    text = sampling_text(k, d)
    e = effective_kernel_size(k, d)
    assert sampling_pattern(k, d) in text
    assert f"over {e}x{e} input pixels" in text
    assert f"receptive field of the layer: {e}x{e} = {e * e} pixels, {k * k} of them sampled" in text
    assert receptive_fields([k], [d]) == [e]


def test_show_sampling_prints_the_same_text(capsys: pytest.CaptureFixture[str]) -> None:
    show_sampling(3, 3, figure=False)
    assert capsys.readouterr().out == sampling_text(3, 3) + "\n"
    show_sampling(3, 2)  # with the figure: Agg draws it, prints nothing more
    assert capsys.readouterr().out == sampling_text(3, 2) + "\n"
    plt.close("all")


def test_stack_explorer_builds() -> None:
    box = stack_explorer()
    (dilation_box, k_slider), text, image = parts(box)
    assert isinstance(dilation_box, widgets.Text) and isinstance(k_slider, widgets.IntSlider)
    assert dilation_box.value == "1, 2, 5" and k_slider.value == 3
    assert shown(text) == stack_text([1, 2, 5], 3)
    assert bytes(image.value).startswith(PNG_MAGIC)


def test_stack_explorer_follows_its_controls() -> None:
    (dilation_box, k_slider), text, image = parts(stack_explorer())
    dilation_box.value = "2, 2, 2"
    assert shown(text) == stack_text([2, 2, 2], 3)
    assert "holes: 120" in shown(text) and "holes, sorted rate 2 > 1" in shown(text)
    k_slider.value = 5
    assert shown(text) == stack_text([2, 2, 2], 5)
    dilation_box.value = "1, two"
    assert "whole numbers" in shown(text) and image.layout.display == "none"
    dilation_box.value = "1, 2, 9"
    assert shown(text) == stack_text([1, 2, 9], 5) and image.layout.display is None


def test_stack_explorer_skips_the_map_of_a_huge_field() -> None:
    (dilation_box, _), text, image = parts(stack_explorer())
    dilation_box.value = "1, 1000"
    assert "holes not mapped" in shown(text) and image.layout.display == "none"


def test_stack_text_numbers() -> None:
    text = stack_text([1, 2, 9])
    assert "input pixels seen: 441 of 25x25 = 625, holes: 184" in text
    assert count_holes([1, 2, 9]) == 184
    assert "M = [3, 5, 9], M_2 = 5 > K = 3: predicts holes" in text
    fields = [int(line.split()[-1]) for line in text.splitlines()[2:5]]
    assert fields == receptive_fields([3, 3, 3], [1, 2, 9])
    assert "M_2 = 2 <= K = 3: predicts no holes" in stack_text([1, 2, 5])
    assert "needs a group of at least 2 layers" in stack_text([4])


@pytest.mark.parametrize("k", [1, 2, 4, 5, 7])
@pytest.mark.parametrize("rates", [[1, 2, 11], [1, 2, 9], [2, 2, 2], [1, 2, 5]])
def test_stack_text_gives_no_hdc_verdict_for_kernels_other_than_3(rates: list[int], k: int) -> None:
    """The recursion places three taps: for other kernels no verdict, and the text says why."""
    text = stack_text(rates, k)
    assert "predicts" not in text and "common factor" not in text
    assert ("exact rule" in text) == (k % 2 == 1)  # the exact rule holds for every odd kernel
    assert f"written for 3x3 kernels (three taps per layer); no verdict for {k}x{k}" in text
    assert f"holes: {count_holes(rates, k)}" in text  # the hole count is still shown, and exact


@pytest.mark.parametrize("k", [3, 5])
def test_stack_text_exact_rule_verdict_is_the_hole_count(k: int) -> None:
    """In any order: the exact rule's verdict is the hole count's; HDC's too for 3x3 rates rising from 1."""
    for rates in itertools.product(range(1, 8), repeat=3):
        text = stack_text(list(rates), k)
        holes = count_holes(list(rates), k)
        assert (f"each rate <= {k - 1} x the sum of the smaller rates + 1): no holes" in text) == (holes == 0)
        if k == 3 and rates[0] == 1 and list(rates) == sorted(rates):
            assert ("predicts no holes" in text) == (holes == 0)


def test_stack_text_names_the_papers_two_conditions() -> None:
    assert "common factor of the rates: 2" in stack_text([2, 2, 2])
    text = stack_text([2, 3, 5])  # co-prime and M_2 = 3 <= 3, yet 80 holes
    assert "holes: 80" in text and "predicts no holes" in text and "common factor of the rates: none" in text
    assert "holes, sorted rate 2 > 1" in text
    text = stack_text([1, 3, 1])  # HDC's recursion rejects this order; the holes, and the exact rule, do not
    assert "predicts holes" in text and "holes: 0" in text and "smaller rates + 1): no holes" in text


def test_show_stack_prints_the_same_text(capsys: pytest.CaptureFixture[str]) -> None:
    show_stack([1, 2, 9], figure=False)
    assert capsys.readouterr().out == stack_text([1, 2, 9]) + "\n"
    show_stack([2, 2, 2])
    assert capsys.readouterr().out == stack_text([2, 2, 2]) + "\n"
    plt.close("all")


def test_parse_dilations() -> None:
    assert parse_dilations(" 1,2 , 5,") == [1, 2, 5]
    for bad, words in [("", "at least one"), ("1, -2", "whole numbers"), ("1, 0", r"dilations\[1\]"), ("1.5", "whole")]:
        with pytest.raises(ValueError, match=words):
            parse_dilations(bad)
    with pytest.raises(TypeError, match="dilations"):
        parse_dilations([1, 2])


def test_plain_twins_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="dilation"):
        sampling_text(3, 0)
    with pytest.raises(TypeError, match="kernel_size"):
        sampling_text(3.0, 1)
    with pytest.raises(ValueError, match="dilations"):
        stack_text([])
    with pytest.raises(ValueError, match="kernel_size"):
        stack_text([1, 2], kernel_size=0)
