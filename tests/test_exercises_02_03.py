"""The checkers of notebooks 02 and 03: right answers pass, stubs are recognised, each usual mistake is named."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dilconv_lib import exercises, naive, vectorized
from dilconv_lib.exercises import (
    check_conv1d_grad_input,
    check_conv1d_grad_weight,
    check_dilate_kernel,
    check_grad_bias,
    check_im2col_bytes,
    check_numerical_gradient,
    check_output_padding,
    check_pixels_read,
)
from tests.verdicts import verdict_in_chinese


def stub(*args: Any) -> Any:
    raise NotImplementedError("Exercise: write the body")


def raises(*args: Any) -> Any:
    raise IndexError("index 9 is out of bounds")


# --- right answers ----------------------------------------------------------------------------------


def pixels_read(ki: int, kj: int, n: int, s: int, d: int) -> set[tuple[int, int]]:
    return {(i * s + ki * d, j * s + kj * d) for i in range(n) for j in range(n)}


def output_padding(size: int, k: int, s: int, p: int, d: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) % s


def grad_input(g: np.ndarray, w: np.ndarray, d: int) -> np.ndarray:
    # pad by d(k-1), flip the kernel, swap its channels, correlate at dilation d
    return naive.conv1d(g, w[:, :, ::-1].transpose(1, 0, 2), padding=d * (w.shape[2] - 1), dilation=d)


def grad_weight(x: np.ndarray, g: np.ndarray, k: int, d: int) -> np.ndarray:
    # a correlation of x with g as the kernel, outputs d apart: the dilation has become a stride
    out = naive.conv1d(x.transpose(1, 0, 2), g.transpose(1, 0, 2), stride=d)  # (C_in, C_out, k)
    return out.transpose(1, 0, 2)


def numerical_gradient(f: Any, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        old = x[j]
        x[j] = old + eps
        plus = f(x)
        x[j] = old - eps
        minus = f(x)
        x[j] = old
        grad[j] = (plus - minus) / (2 * eps)
    return grad


RIGHT = [
    (check_dilate_kernel, vectorized.dilate_kernel),
    (check_pixels_read, pixels_read),
    (check_grad_bias, lambda g: g.sum(axis=(0, 2, 3))),
    (check_output_padding, output_padding),
    (check_conv1d_grad_input, grad_input),
    (check_conv1d_grad_weight, grad_weight),
    (check_numerical_gradient, numerical_gradient),
]
ids = [checker.__name__ for checker, _ in RIGHT]


@pytest.mark.parametrize("checker, answer", RIGHT, ids=ids)
def test_a_right_answer_passes(checker: Any, answer: Any, capsys: pytest.CaptureFixture[str]) -> None:
    verdict = checker(answer)
    assert verdict and verdict.mistake is None
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize("checker", [c for c, _ in RIGHT], ids=ids)
def test_a_stub_is_not_implemented_yet(checker: Any, capsys: pytest.CaptureFixture[str]) -> None:
    verdict = checker(stub)
    assert not verdict and verdict.mistake == "not_implemented"
    assert "not implemented yet" in capsys.readouterr().out


@pytest.mark.parametrize("checker", [c for c, _ in RIGHT], ids=ids)
def test_an_exception_is_reported(checker: Any) -> None:
    verdict = checker(raises, quiet=True)
    assert not verdict and verdict.mistake == "raised" and "IndexError" in verdict.message


@pytest.mark.parametrize("checker", [c for c, _ in RIGHT], ids=ids)
def test_checkers_are_exported(checker: Any) -> None:
    assert checker.__name__ in exercises.__all__


# --- wrong answers, each named ------------------------------------------------------------------


def pair(d: int | tuple[int, int]) -> tuple[int, int]:
    return (d, d) if isinstance(d, int) else d


def dense_without_plus_one(w: np.ndarray, d: int | tuple[int, int]) -> np.ndarray:
    dh, dw = pair(d)
    return np.zeros((*w.shape[:2], dh * (w.shape[2] - 1), dw * (w.shape[3] - 1)))


def dense_d_times_k(w: np.ndarray, d: int | tuple[int, int]) -> np.ndarray:
    dh, dw = pair(d)
    dense = np.zeros((*w.shape[:2], dh * w.shape[2], dw * w.shape[3]))
    dense[:, :, ::dh, ::dw] = w
    return dense


def dense_taps_at_the_end(w: np.ndarray, d: int | tuple[int, int]) -> np.ndarray:
    dense = vectorized.dilate_kernel(w, d)
    return dense[:, :, ::-1, ::-1].copy()  # right shape, taps mirrored


# (checker, a wrong answer, the mistake it names)
WRONG: list[tuple[Any, Any, str]] = [
    (check_dilate_kernel, dense_without_plus_one, "extent"),
    (check_dilate_kernel, dense_d_times_k, "extent"),
    (check_dilate_kernel, dense_taps_at_the_end, "values"),
    (check_dilate_kernel, lambda w, d: w.tolist(), "not_an_array"),
    (check_dilate_kernel, lambda w, d: w, "shape"),
    (check_pixels_read, lambda ki, kj, n, s, d: pixels_read(ki, kj, n, d, s), "swapped"),
    (check_pixels_read, lambda ki, kj, n, s, d: pixels_read(ki, kj, n, s, 1), "values"),
    (check_pixels_read, lambda ki, kj, n, s, d: len(pixels_read(ki, kj, n, s, d)), "values"),
    (check_grad_bias, lambda g: g[0].sum(axis=(1, 2)), "batch"),
    (check_grad_bias, lambda g: g.sum(axis=(2, 3)), "batch"),
    (check_grad_bias, lambda g: g.mean(axis=(0, 2, 3)), "mean"),
    (check_grad_bias, lambda g: g.sum(axis=(0, 2, 3)) + 1, "values"),
    (check_output_padding, lambda n, k, s, p, d: (n + 2 * p - k) % s, "no_dilation"),
    (check_output_padding, lambda n, k, s, p, d: n + 2 * p - d * (k - 1) - 1, "no_mod"),
    (check_output_padding, lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) % s, "one_side"),
    (check_output_padding, lambda n, k, s, p, d: float(output_padding(n, k, s, p, d)), "not_an_int"),
    (check_output_padding, lambda n, k, s, p, d: 0, "values"),
    (
        check_conv1d_grad_input,
        lambda g, w, d: naive.conv1d(g, w.transpose(1, 0, 2), padding=d * (w.shape[2] - 1), dilation=d),
        "not_flipped",
    ),
    (
        check_conv1d_grad_input,
        lambda g, w, d: naive.conv1d(g, w[:, :, ::-1].transpose(1, 0, 2), padding=w.shape[2] - 1, dilation=d),
        "padding",
    ),
    (
        check_conv1d_grad_input,
        lambda g, w, d: naive.conv1d(g, w[:, :, ::-1].transpose(1, 0, 2), padding=d * (w.shape[2] - 1)),
        "dilation",
    ),
    (
        check_conv1d_grad_input,  # right while C_in = C_out, then C_out channels
        lambda g, w, d: grad_input(g, w, d) if w.shape[0] == w.shape[1] else np.zeros((*g.shape[:2], 1)),
        "channels",
    ),
    (check_conv1d_grad_input, lambda g, w, d: grad_input(g, w, d) + 1, "values"),
    (check_conv1d_grad_weight, lambda x, g, k, d: grad_weight(x[:1], g[:1], k, d), "batch"),
    (check_conv1d_grad_weight, lambda x, g, k, d: grad_weight(x, g, k, d).transpose(1, 0, 2), "channels"),
    (
        check_conv1d_grad_weight,
        lambda x, g, k, d: grad_weight(x[:, :, : g.shape[2] + k - 1], g, k, 1),
        "dilation",
    ),
    (check_conv1d_grad_weight, lambda x, g, k, d: grad_weight(x, g, k, d) + 1, "values"),
    (check_numerical_gradient, lambda f, x, eps: 2 * numerical_gradient(f, x, eps), "half"),
    (
        check_numerical_gradient,
        lambda f, x, eps: np.array(
            [(f(x + eps * e) - f(x)) / eps for e in np.eye(x.size).reshape(-1, *x.shape)]
        ).reshape(x.shape),
        "one_sided",
    ),
    (check_numerical_gradient, lambda f, x, eps: x.__iadd__(1) * 0, "x_changed"),
    (check_numerical_gradient, lambda f, x, eps: numerical_gradient(f, x, eps) + 1, "values"),
]


@pytest.mark.parametrize("checker, answer, mistake", WRONG)
def test_a_usual_mistake_is_named(checker: Any, answer: Any, mistake: str) -> None:
    verdict = checker(answer, quiet=True)
    assert not verdict
    assert verdict.mistake == mistake, verdict.message
    assert verdict.message.startswith("✗")


IM2COL_BYTES = 8 * 64 * 9 * 64 * 64 * 4
# (a wrong number of bytes, the mistake it names)
WRONG_IM2COL_BYTES: list[tuple[Any, str]] = [
    (IM2COL_BYTES // 4, "itemsize"),
    (IM2COL_BYTES // 8, "batch"),
    (8 * 64 * 9 * 96 * 96 * 4, "padded"),
    (8 * 64 * 33 * 33 * 64 * 64 * 4, "window"),
    (IM2COL_BYTES // 9, "input"),
    (IM2COL_BYTES + 1, "values"),
    ("72 MiB", "not_an_int"),
]


def test_im2col_bytes_checker() -> None:
    assert check_im2col_bytes(IM2COL_BYTES, quiet=True)
    for value, mistake in WRONG_IM2COL_BYTES:
        verdict = check_im2col_bytes(value, quiet=True)
        assert not verdict and verdict.mistake == mistake, verdict.message


# --- in Chinese: the same verdicts, no English sentence ------------------------------------------------


@pytest.mark.parametrize(
    "checker, answer",
    [
        *[pytest.param(checker, answer, id=f"{checker.__name__}-right") for checker, answer in RIGHT],
        *[pytest.param(checker, stub, id=f"{checker.__name__}-stub") for checker, _ in RIGHT],
        *[pytest.param(checker, raises, id=f"{checker.__name__}-raises") for checker, _ in RIGHT],
        *[pytest.param(checker, answer, id=f"{checker.__name__}-{mistake}") for checker, answer, mistake in WRONG],
        pytest.param(check_im2col_bytes, IM2COL_BYTES, id="check_im2col_bytes-right"),
        *[
            pytest.param(check_im2col_bytes, value, id=f"check_im2col_bytes-{mistake}")
            for value, mistake in WRONG_IM2COL_BYTES
        ],
    ],
)
def test_a_verdict_in_chinese(checker: Any, answer: Any) -> None:
    verdict_in_chinese(checker, answer)
