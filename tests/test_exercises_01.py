"""Notebook 01's loop checkers against the mistakes of someone writing the loops from scratch.

Each learner below is a whole loop nest, written as a learner writes it, with one slip; the checker must name
that slip (``tests/test_exercises.py`` covers the mistakes made by changing an argument).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from dilconv_lib import naive
from dilconv_lib.exercises import check_conv1d, check_conv2d
from dilconv_lib.exercises.harness import Verdict
from tests.verdicts import verdict_in_chinese


def pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def loops1d(slip: str = "") -> Callable[..., np.ndarray]:
    """A learner's ``my_conv1d`` from scratch, with one ``slip`` (or none)."""

    def my_conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1):
        s, p, d = stride, padding, dilation
        x = input if slip == "no_pad" else np.pad(input, ((0, 0), (0, 0), (p, p)))
        n_batch, c_in, size = x.shape
        c_out, _, k = weight.shape
        o = (size - d * (k - 1) - 1) // s + 1
        if slip == "size_minus_one":
            o = (size - d * (k - 1) - 1) // s  # the "+ 1" forgotten
        if slip == "size_unpadded":
            o = (input.shape[2] - d * (k - 1) - 1) // s + 1  # counted on the input before padding
        y = np.zeros((1 if slip == "batch" else n_batch, c_out, o))
        for n in range(1 if slip == "batch" else n_batch):
            for co in range(c_out):
                for i in range(o):
                    total = 0.0 if bias is None or slip in ("no_bias", "bias_per_term") else bias[co]
                    for ci in range(1 if slip == "channels" else c_in):
                        if slip == "reset":
                            total = 0.0 if bias is None else bias[co]  # the sum starts again for each ci
                        for ki in range(k):
                            start = i if slip == "stride_index" else i * s
                            offset = ki if slip == "tap" else ki * d
                            total += weight[co, ci, ki] * x[n, ci, start + offset]
                            if slip == "bias_per_term" and bias is not None:
                                total += bias[co]
                    y[n, co, i] = total
        return y

    return my_conv1d


def loops2d(slip: str = "") -> Callable[..., np.ndarray]:
    """A learner's ``my_conv2d`` from scratch, with one ``slip`` (or none)."""

    def my_conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
        (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
        if slip == "stride_swapped":
            sh, sw = sw, sh
        if slip == "padding_swapped":
            ph, pw = pw, ph
        x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        n_batch, c_in, height_in, width_in = x.shape
        c_out, _, kh, kw = weight.shape
        height = (height_in - dh * (kh - 1) - 1) // sh + 1
        width = (width_in - dw * (kw - 1) - 1) // sw + 1
        y = np.zeros((n_batch, c_out, height, width))
        for n in range(n_batch):
            for co in range(c_out):
                for i in range(height):
                    for j in range(width):
                        total = 0.0 if bias is None or slip in ("no_bias", "bias_per_term") else bias[co]
                        for ci in range(1 if slip == "channels" else c_in):
                            for ki in range(kh):
                                for kj in range(kw):
                                    row = i * sh + (ki if slip == "tap_rows" else ki * dh)
                                    col = j * sw + (kj if slip == "tap_columns" else kj * dw)
                                    if slip == "stride_index":
                                        row, col = row - i * sh + i, col - j * sw + j
                                    total += weight[co, ci, ki, kj] * x[n, ci, row, col]
                        y[n, co, i, j] = total
        return y

    return my_conv2d


# (slip, the mistake the checker must name, words its message must hold)
SLIPS_1D = [
    ("no_bias", "bias_ignored", "the bias is missing"),
    ("bias_per_term", "bias_per_term", "once per term of the sum"),
    ("tap", "dilation_not_in_index", "offset ki instead of ki*d"),
    ("stride_index", "stride_not_in_index", "not in the index"),
    ("size_minus_one", "output_short", "too few of them"),
    ("size_unpadded", "output_short", "floor((6 + 2*2 - 2*(3 - 1) - 1) / 1) + 1 = 6"),
    ("channels", "channels_first_only", "loop over input channels is missing"),
    ("reset", "channels_last_only", "before the loop over ci"),
    ("batch", "batch_first_only", "loop over the batch is missing"),
    ("no_pad", "padding_ignored", "the padding is ignored"),
]
SLIPS_2D = [
    ("no_bias", "bias_ignored", "the bias is missing"),
    ("stride_index", "stride_not_in_index", "not in the index"),
    ("channels", "channels_first_only", "loop over input channels is missing"),
    ("tap_rows", "dilation_columns_only", "the rows ignore the dilation"),
    ("tap_columns", "dilation_rows_only", "the columns ignore the dilation"),
    ("stride_swapped", "stride_swapped", "the strides are swapped"),
    ("padding_swapped", "padding_swapped", "the paddings are swapped"),
]
CASES = [(check_conv1d, loops1d, *s) for s in SLIPS_1D] + [(check_conv2d, loops2d, *s) for s in SLIPS_2D]
IDS = [f"{check.__name__}-{slip}" for check, _, slip, *_ in CASES]


@pytest.mark.parametrize("check", [check_conv1d, check_conv2d])
def test_right_loops_from_scratch_pass(check: Callable[..., Verdict]) -> None:
    make = loops1d if check is check_conv1d else loops2d
    assert check(make(), quiet=True)


@pytest.mark.parametrize(("check", "make", "slip", "mistake", "words"), CASES, ids=IDS)
def test_a_slip_is_named(
    check: Callable[..., Verdict], make: Callable[[str], Any], slip: str, mistake: str, words: str
) -> None:
    verdict = check(make(slip), quiet=True)
    assert not verdict
    assert verdict.mistake == mistake, verdict.message
    assert words in verdict.message, verdict.message


@pytest.mark.parametrize(("check", "make", "slip", "mistake", "words"), CASES, ids=IDS)
def test_a_slip_is_named_in_chinese(
    check: Callable[..., Verdict], make: Callable[[str], Any], slip: str, mistake: str, words: str
) -> None:
    verdict_in_chinese(check, make(slip), mistake)


def test_too_long_output_is_no_short_output() -> None:
    def one_long(input, weight, bias=None, stride=1, padding=0, dilation=1):
        out = naive.conv1d(input, weight, bias, stride, padding, dilation)
        return np.concatenate([out, out[..., :1]], axis=-1)

    assert check_conv1d(one_long, quiet=True).mistake == "shape"


def test_short_output_with_wrong_values_is_no_short_output() -> None:
    def short_and_wrong(input, weight, bias=None, stride=1, padding=0, dilation=1):
        return naive.conv1d(input, weight, bias, stride, padding, dilation)[..., :-1] + 1

    assert check_conv1d(short_and_wrong, quiet=True).mistake == "shape"
