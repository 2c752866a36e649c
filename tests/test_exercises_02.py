"""Notebook 02's checkers: a right answer passes, and each usual mistake is named (dilconv_lib.exercises.vectorized)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from numpy.lib.stride_tricks import sliding_window_view

from dilconv_lib import naive, vectorized
from dilconv_lib.exercises import check_im2col, check_space_to_batch, check_tap_loop
from dilconv_lib.exercises.vectorized import IM2COL_CONV_CASES, S2B_CASES, TAP_CASES, line_events

# --- the tap loop ----------------------------------------------------------------------------------------------


def tap_loop(x, w, *, stride=1, padding=0, dilation=1, offset=None, step=None, flip=False, pad=True):
    """A tap loop with one of the usual mistakes switched on by a keyword."""
    s, p, d = stride, padding, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if pad else x
    w = w[:, :, ::-1, ::-1] if flip else w
    c_out, _, kh, kw = w.shape
    h_out, w_out = ((size - d * (k - 1) - 1) // s + 1 for size, k in zip(xp.shape[2:], (kh, kw)))
    by = s if step is None else step(s, d)
    out = np.zeros((x.shape[0], c_out, h_out, w_out))
    for ki in range(kh):
        for kj in range(kw):
            r, c = (ki * d, kj * d) if offset is None else (offset(ki, s, d), offset(kj, s, d))
            patch = xp[:, :, r : r + by * (h_out - 1) + 1 : by, c : c + by * (w_out - 1) + 1 : by]
            out += np.einsum("oc,nchw->nohw", w[:, :, ki, kj], patch)
    return out


def with_(**mistake: Any) -> Callable[..., Any]:
    def my_tap_loop(x, w, *, stride=1, padding=0, dilation=1):
        return tap_loop(x, w, stride=stride, padding=padding, dilation=dilation, **mistake)

    return my_tap_loop


def test_a_right_tap_loop_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_tap_loop(with_())
    assert "right on all 5 cases" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("mistake", "key"),
    [
        (dict(offset=lambda k, s, d: k), "dilation_not_in_offset"),
        (dict(step=lambda s, d: 1), "no_step"),
        (dict(pad=False), "padding_ignored"),
        (dict(flip=True), "kernel_flipped"),
    ],
)
def test_each_tap_loop_mistake_is_named(mistake: dict[str, Any], key: str) -> None:
    verdict = check_tap_loop(with_(**mistake), quiet=True)
    assert not verdict and verdict.mistake == key, verdict.message


@pytest.mark.parametrize(
    "mistake", [dict(offset=lambda k, s, d: k * d * s), dict(offset=lambda k, s, d: k * s, step=lambda s, d: d)]
)
def test_a_slice_that_runs_short_is_named(mistake: dict[str, Any]) -> None:
    """The stride on the tap, or stride and dilation swapped: the slice runs past the padded input and raises."""
    verdict = check_tap_loop(with_(**mistake), quiet=True)
    assert verdict.mistake == "slice_short" and "not ki*d*s, not ki*s" in verdict.message, verdict.message


def test_a_loop_over_pixels_is_named() -> None:
    def my_tap_loop(x, w, *, stride=1, padding=0, dilation=1):
        out = tap_loop(x, w, stride=stride, padding=padding, dilation=dilation)
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                out[:, :, i, j] = out[:, :, i, j]
        return out

    verdict = check_tap_loop(my_tap_loop, quiet=True)
    assert verdict.mistake == "pixel_loop" and "40x40" in verdict.message


def test_line_events_count_only_the_learners_lines() -> None:
    x, w = np.ones((1, 1, 8, 8)), np.ones((1, 1, 3, 3))
    small = line_events(with_(), x, w, padding=1)
    assert small == line_events(with_(), np.ones((1, 1, 40, 40)), w, padding=1) > 0  # library lines not counted


def test_the_tap_cases_tell_the_mistakes_apart() -> None:
    """Stride and dilation differ in some case (else 'swapped' could not be seen), and the stride is used."""
    assert any(int(c.stride) > 1 and c.stride != c.dilation for c in TAP_CASES)
    assert any(c.input_shape[2] != c.input_shape[3] for c in TAP_CASES)


def test_a_stub_is_not_diagnosed() -> None:
    def my_tap_loop(x, w, *, stride=1, padding=0, dilation=1):
        raise NotImplementedError("Exercise: write the body of my_tap_loop")

    assert check_tap_loop(my_tap_loop, quiet=True).mistake == "not_implemented"


# --- im2col ------------------------------------------------------------------------------------------------------


def im2col(xp, kh, kw, dilation=1, *, window=None, step=True, order=(0, 1, 4, 5, 2, 3), on_windows=False):
    d = dilation
    window = window(kh, kw) if window else (d * (kh - 1) + 1, d * (kw - 1) + 1)
    patches = sliding_window_view(xp, window, axis=(2, 3))  # (N, C_in, H_out, W_out, *window)
    if on_windows:
        patches = patches[:, :, ::d, ::d]
    elif step:
        patches = patches[..., ::d, ::d]
    n, c_in, h_out, w_out, th, tw = patches.shape
    return patches.transpose(order).reshape(n, c_in * th * tw, h_out * w_out)


def im2col_conv(x, w, *, padding=0, dilation=1, pad=True, weight_order=False):
    c_out, c_in, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding))) if pad else x
    cols = im2col(xp, kh, kw, dilation)
    flat = w.transpose(0, 2, 3, 1).reshape(c_out, -1) if weight_order else w.reshape(c_out, -1)
    h_out, w_out = xp.shape[2] - dilation * (kh - 1), xp.shape[3] - dilation * (kw - 1)
    return (flat @ cols).reshape(x.shape[0], c_out, h_out, w_out)


def im2col_with(**mistake: Any) -> Callable[..., Any]:
    def my_im2col(xp, kh, kw, dilation=1):
        return im2col(xp, kh, kw, dilation, **mistake)

    return my_im2col


def conv_with(**mistake: Any) -> Callable[..., Any]:
    def my_im2col_conv(x, w, *, padding=0, dilation=1):
        return im2col_conv(x, w, padding=padding, dilation=dilation, **mistake)

    return my_im2col_conv


def test_a_right_im2col_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_im2col(im2col_with(), conv_with())
    out = capsys.readouterr().out
    assert "one matrix product" in out and "all 4 cases" in out and "on all 3" in out
    assert check_im2col(im2col_with(), quiet=True)


@pytest.mark.parametrize(
    ("mistake", "key"),
    [
        (dict(step=False), "no_step"),
        (dict(window=lambda kh, kw: (kh, kw)), "window_k"),
        (dict(on_windows=True), "step_on_windows"),
        (dict(order=(0, 1, 2, 3, 4, 5)), "no_transpose"),
        (dict(order=(0, 4, 5, 1, 2, 3)), "rows_order"),
        (dict(order=(0, 1, 5, 4, 2, 3)), "taps_order"),
        (dict(order=(0, 1, 4, 5, 3, 2)), "pixels_order"),
    ],
)
def test_each_im2col_mistake_is_named(mistake: dict[str, Any], key: str) -> None:
    verdict = check_im2col(im2col_with(**mistake), conv_with(), quiet=True)
    assert not verdict and verdict.mistake == key, verdict.message


def test_dilation_ignored_is_named() -> None:
    def undilated(xp, kh, kw, dilation=1):
        return im2col(xp, kh, kw, 1)

    verdict = check_im2col(undilated, quiet=True)
    assert verdict.mistake in ("dilation_ignored", "window_k"), verdict.message


@pytest.mark.parametrize(
    ("mistake", "key"), [(dict(pad=False), "conv_padding_ignored"), (dict(weight_order=True), "conv_weight_order")]
)
def test_each_im2col_conv_mistake_is_named(mistake: dict[str, Any], key: str) -> None:
    verdict = check_im2col(im2col_with(), conv_with(**mistake), quiet=True)
    assert not verdict and verdict.mistake == key, verdict.message


def test_the_im2col_conv_cases_agree_with_torch() -> None:
    for seed, case in enumerate(IM2COL_CONV_CASES):
        x, w, _ = case.operands(seed)
        expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=case.padding, dilation=case.dilation)
        np.testing.assert_allclose(im2col_conv(x, w, padding=case.padding, dilation=case.dilation), expected.numpy())


# --- space-to-batch ----------------------------------------------------------------------------------------------


def by_phases(x, w, *, padding=0, dilation=1, place=lambda r, q: (r, q), phases=None, sub_dilation=1, pad=True):
    d, p = dilation, padding
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if pad else x
    kh, kw = w.shape[2:]
    y = np.zeros((x.shape[0], w.shape[0], xp.shape[2] - d * (kh - 1), xp.shape[3] - d * (kw - 1)))
    for r in range(phases or d):
        for q in range(phases or d):
            a, b = place(r, q)
            sub = vectorized.conv2d(xp[:, :, r::d, q::d], w, dilation=sub_dilation)
            y[:, :, a::d, b::d] = sub[:, :, : len(range(a, y.shape[2], d)), : len(range(b, y.shape[3], d))]
    return y


def s2b_with(**mistake: Any) -> Callable[..., Any]:
    def my_space_to_batch(x, w, *, padding=0, dilation=1):
        return by_phases(x, w, padding=padding, dilation=dilation, **mistake)

    return my_space_to_batch


def test_a_right_space_to_batch_passes() -> None:
    assert check_space_to_batch(s2b_with(), quiet=True)
    assert check_space_to_batch(vectorized.conv2d_space_to_batch, quiet=True)


def test_the_space_to_batch_cases_agree_with_torch() -> None:
    for seed, case in enumerate(S2B_CASES):
        x, w, _ = case.operands(seed)
        expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=case.padding, dilation=case.dilation)
        np.testing.assert_allclose(s2b_with()(x, w, padding=case.padding, dilation=case.dilation), expected.numpy())


@pytest.mark.parametrize(
    ("mistake", "key"),
    [
        (dict(place=lambda r, q: (q, r)), "phases_swapped"),
        (dict(phases=1), "one_phase"),
        (dict(pad=False), "padding_ignored"),
    ],
)
def test_each_space_to_batch_mistake_is_named(mistake: dict[str, Any], key: str) -> None:
    verdict = check_space_to_batch(s2b_with(**mistake), quiet=True)
    assert not verdict and verdict.mistake == key, verdict.message


def test_one_phase_output_is_named_and_a_second_dilation_gets_a_hint() -> None:
    def first_phase(x, w, *, padding=0, dilation=1):
        xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        return naive.conv2d(xp[:, :, ::dilation, ::dilation], w)

    assert check_space_to_batch(first_phase, quiet=True).mistake == "one_phase_output"

    verdict = check_space_to_batch(s2b_with(sub_dilation=2), quiet=True)
    assert verdict.mistake == "raised" and "dilation 1" in verdict.message


def test_stubs_are_named_once_each(capsys: pytest.CaptureFixture[str]) -> None:
    """The student edition: both im2col functions are stubs, and the learner is told of both, once."""

    def my_im2col(xp, kh, kw, dilation=1):
        raise NotImplementedError("Exercise: write the body of my_im2col")

    def my_im2col_conv(x, w, *, padding=0, dilation=1):
        raise NotImplementedError("Exercise: write the body of my_im2col_conv")

    assert check_im2col(my_im2col, my_im2col_conv).mistake == "not_implemented"
    out = capsys.readouterr().out
    assert out.count("my_im2col is not implemented yet") == 1 and "my_im2col_conv is not implemented yet" in out
    check_tap_loop(with_(offset=lambda k, s, d: k * d * s))
    assert capsys.readouterr().out.count("not right yet") == 1


# --- the pictures of the im2col and space-to-batch layouts (dilconv_lib.figures) ------------------------------


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_the_im2col_picture_holds_the_matrix() -> None:
    from matplotlib.figure import Figure

    from dilconv_lib.figures import draw_im2col

    fig = Figure()
    left, right = draw_im2col(fig.subplots(1, 2), np.arange(16.0).reshape(4, 4), 2, 2)
    assert _texts(left) == [str(v) for v in range(16)]
    # the matrix of the tiny example, row by row: one row per tap, column 0 what output (0, 0) reads
    assert _texts(right) == "0 1 4 5 2 3 6 7 8 9 12 13 10 11 14 15".split()
    assert "one row per tap" in right.get_title()
    with pytest.raises(ValueError, match="image"):
        draw_im2col(fig.subplots(1, 2), np.zeros((2, 2)), 2, 2)  # smaller than the 3x3 extent


def test_the_space_to_batch_picture_holds_the_sub_images() -> None:
    from matplotlib.figure import Figure

    from dilconv_lib.figures import draw_space_to_batch

    fig = Figure()
    _, right = draw_space_to_batch(fig.subplots(1, 2), np.arange(16.0).reshape(4, 4), 2)
    numbers = [t for t in _texts(right) if not t.startswith("(")]
    assert numbers == "0 2 8 10 1 3 9 11 4 6 12 14 5 7 13 15".split()  # phases (0, 0), (0, 1), (1, 0), (1, 1)
    assert [t for t in _texts(right) if t.startswith("(")] == ["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]
    with pytest.raises(ValueError, match="multiples of 2"):
        draw_space_to_batch(fig.subplots(1, 2), np.zeros((3, 4)), 2)


def test_the_pictures_speak_chinese() -> None:
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from dilconv_lib import i18n
    from dilconv_lib.figures import draw_im2col, draw_space_to_batch

    i18n.set_language("zh")
    try:
        fig = Figure(figsize=(10, 3))
        draw_im2col(fig.subplots(1, 2), np.arange(16.0).reshape(4, 4), 2, 2)
        fig2 = Figure(figsize=(10, 3))
        draw_space_to_batch(fig2.subplots(1, 2), np.arange(16.0).reshape(4, 4), 2)
        titles = [ax.get_title() for f in (fig, fig2) for ax in f.axes]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in title) for title in titles), titles
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a glyph missing from the font
            for f in (fig, fig2):
                FigureCanvasAgg(f).draw()
    finally:
        i18n.set_language(None)
