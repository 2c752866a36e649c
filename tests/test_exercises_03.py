"""Notebook 03's unfold exercise: a right answer passes, a stub is recognised, each usual mistake is named."""

from __future__ import annotations

from typing import Any

import pytest
import torch
import torch.nn.functional as F

from dilconv_lib import accelerated
from dilconv_lib.exercises import check_conv2d_unfold
from tests.verdicts import verdict_in_chinese


def right(x: Any, w: Any, b: Any = None, stride: int = 1, padding: int = 0, dilation: int = 1) -> Any:
    (n, _, h, _), (c_out, _, kh, kw) = x.shape, w.shape
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)  # (N, C_in kh kw, L)
    h_out = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    y = (w.reshape(c_out, -1) @ cols).reshape(n, c_out, h_out, -1)
    return y if b is None else y + b.view(1, -1, 1, 1)


def no_dilation_same_shape(x: Any, w: Any, b: Any = None, stride: int = 1, padding: int = 0, dilation: int = 1) -> Any:
    return right(x, w, b, stride, padding, 1)  # unfold without dilation, sizes computed without it too


def no_dilation_reshape_fails(
    x: Any, w: Any, b: Any = None, stride: int = 1, padding: int = 0, dilation: int = 1
) -> Any:
    (n, _, h, wd), (c_out, _, kh, kw) = x.shape, w.shape
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)  # dilation forgotten
    h_out = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    w_out = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    y = (w.reshape(c_out, -1) @ cols).reshape(n, c_out, h_out, w_out)  # RuntimeError: the sizes differ
    return y if b is None else y + b.view(1, -1, 1, 1)


def taps_first(x: Any, w: Any, b: Any = None, stride: int = 1, padding: int = 0, dilation: int = 1) -> Any:
    (n, _, h, _), (c_out, _, kh, kw) = x.shape, w.shape
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    h_out = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    y = (w.permute(0, 2, 3, 1).reshape(c_out, -1) @ cols).reshape(n, c_out, h_out, -1)  # (ki, kj, ci) order
    return y if b is None else y + b.view(1, -1, 1, 1)


def columns_first(x: Any, w: Any, b: Any = None, stride: int = 1, padding: int = 0, dilation: int = 1) -> Any:
    (n, _, h, _), (c_out, _, kh, kw) = x.shape, w.shape
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    h_out = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    y = (w.transpose(2, 3).reshape(c_out, -1) @ cols).reshape(n, c_out, h_out, -1)  # (ci, kj, ki) order
    return y if b is None else y + b.view(1, -1, 1, 1)


def not_folded(x: Any, w: Any, b: Any = None, stride: int = 1, padding: int = 0, dilation: int = 1) -> Any:
    return right(x, w, b, stride, padding, dilation).flatten(2)  # (N, C_out, H_out * W_out)


def bias_dropped(x: Any, w: Any, b: Any = None, stride: int = 1, padding: int = 0, dilation: int = 1) -> Any:
    return right(x, w, None, stride, padding, dilation)


def stub(*args: Any) -> Any:
    raise NotImplementedError("Exercise: write the body")


def test_right_answers_pass() -> None:
    assert check_conv2d_unfold(right, quiet=True)
    assert check_conv2d_unfold(
        lambda x, w, b=None, stride=1, padding=0, dilation=1: accelerated.conv2d_unfold(
            x, w, b, stride=stride, padding=padding, dilation=dilation
        ),
        quiet=True,
    )
    numpy_answer = lambda *args: right(*args).numpy()  # noqa: E731  (a NumPy array is accepted too)
    assert check_conv2d_unfold(numpy_answer, quiet=True)


@pytest.mark.parametrize(
    ("fn", "mistake"),
    [
        (no_dilation_same_shape, "dilation_not_passed"),
        (no_dilation_reshape_fails, "dilation_not_passed"),
        (taps_first, "weight_order"),
        (columns_first, "weight_order"),
        (not_folded, "not_folded"),
        (bias_dropped, "bias_dropped"),
    ],
)
def test_each_mistake_is_named(fn: Any, mistake: str) -> None:
    verdict = check_conv2d_unfold(fn, quiet=True)
    assert not verdict and verdict.mistake == mistake, verdict.message


def test_stub_and_wrong_type() -> None:
    assert check_conv2d_unfold(stub, quiet=True).mistake == "not_implemented"
    assert check_conv2d_unfold(lambda *args: None, quiet=True).mistake == "not_a_tensor"
    assert check_conv2d_unfold(lambda *args: torch.zeros(1), quiet=True).mistake == "shape"
    values = check_conv2d_unfold(lambda *args: right(*args) + 1.0, quiet=True)
    assert values.mistake == "values" and "Case 1 of 4" in values.message


def test_verdicts_in_chinese() -> None:
    verdict_in_chinese(check_conv2d_unfold, right)
    verdict_in_chinese(check_conv2d_unfold, taps_first, "weight_order")
    verdict_in_chinese(check_conv2d_unfold, not_folded, "not_folded")
    verdict_in_chinese(check_conv2d_unfold, no_dilation_reshape_fails, "dilation_not_passed")
    verdict_in_chinese(check_conv2d_unfold, bias_dropped, "bias_dropped")
