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
    check_numerical_gradient,
    check_output_padding,
    check_pixels_read,
)


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


@pytest.mark.parametrize(
    "checker, answer, mistake",
    [
        (check_dilate_kernel, dense_without_plus_one, "extent"),
        (check_dilate_kernel, dense_d_times_k, "extent"),
        (check_dilate_kernel, dense_taps_at_the_end, "values"),
        (check_dilate_kernel, lambda w, d: w.tolist(), "not_an_array"),
        (check_pixels_read, lambda ki, kj, n, s, d: pixels_read(ki, kj, n, d, s), "swapped"),
        (check_pixels_read, lambda ki, kj, n, s, d: pixels_read(ki, kj, n, s, 1), "values"),
        (check_grad_bias, lambda g: g[0].sum(axis=(1, 2)), "batch"),
        (check_grad_bias, lambda g: g.sum(axis=(2, 3)), "batch"),
        (check_grad_bias, lambda g: g.mean(axis=(0, 2, 3)), "mean"),
        (check_output_padding, lambda n, k, s, p, d: (n + 2 * p - k) % s, "no_dilation"),
        (check_output_padding, lambda n, k, s, p, d: n + 2 * p - d * (k - 1) - 1, "no_mod"),
        (check_output_padding, lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) % s, "one_side"),
        (check_output_padding, lambda n, k, s, p, d: float(output_padding(n, k, s, p, d)), "not_an_int"),
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
        (check_conv1d_grad_weight, lambda x, g, k, d: grad_weight(x[:1], g[:1], k, d), "batch"),
        (check_conv1d_grad_weight, lambda x, g, k, d: grad_weight(x, g, k, d).transpose(1, 0, 2), "channels"),
        (
            check_conv1d_grad_weight,
            lambda x, g, k, d: grad_weight(x[:, :, : g.shape[2] + k - 1], g, k, 1),
            "dilation",
        ),
        (check_numerical_gradient, lambda f, x, eps: 2 * numerical_gradient(f, x, eps), "half"),
        (
            check_numerical_gradient,
            lambda f, x, eps: np.array(
                [(f(x + eps * e) - f(x)) / eps for e in np.eye(x.size).reshape(-1, *x.shape)]
            ).reshape(x.shape),
            "one_sided",
        ),
        (check_numerical_gradient, lambda f, x, eps: x.__iadd__(1) * 0, "x_changed"),
    ],
)
def test_a_usual_mistake_is_named(checker: Any, answer: Any, mistake: str) -> None:
    verdict = checker(answer, quiet=True)
    assert not verdict
    assert verdict.mistake == mistake, verdict.message
    assert verdict.message.startswith("✗")


def test_im2col_bytes_checker() -> None:
    from dilconv_lib.exercises import check_im2col_bytes

    right = 8 * 64 * 9 * 64 * 64 * 4
    assert check_im2col_bytes(right, quiet=True)
    for value, mistake in [
        (right // 4, "itemsize"),
        (right // 8, "batch"),
        (8 * 64 * 9 * 96 * 96 * 4, "padded"),
        (8 * 64 * 33 * 33 * 64 * 64 * 4, "window"),
        (right // 9, "input"),
        (right + 1, "values"),
        ("72 MiB", "not_an_int"),
    ]:
        verdict = check_im2col_bytes(value, quiet=True)
        assert not verdict and verdict.mistake == mistake, verdict.message
