"""Every backend against torch.nn.functional: the shared case table, float32, and property tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from dilconv_lib import output_size
from tests.cases import ALL_BACKENDS, BACKENDS, CASES, Backend, Case, torch_reference

backends = pytest.mark.parametrize("backend", list(BACKENDS.values()), ids=list(BACKENDS))
# the property tests run on the torch backends too, through an array adapter
all_backends = pytest.mark.parametrize("backend", list(ALL_BACKENDS.values()), ids=list(ALL_BACKENDS))


def run(backend: Backend, case: Case, *operands, **extra) -> np.ndarray:
    conv = backend.conv1d if case.n_spatial == 1 else backend.conv2d
    return conv(*operands, **{**case.kwargs, **extra})


@backends
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_matches_torch_float64(backend: Backend, case: Case) -> None:
    x, w, b = case.operands(np.float64)
    expected = torch_reference(case, x, w, b)
    got = run(backend, case, x, w, b)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@backends
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_float32_stays_float32(backend: Backend, case: Case) -> None:
    x, w, b = case.operands(np.float32, seed=1)
    got = run(backend, case, x, w, b)
    assert got.dtype == np.float32
    # float32 rounding, scaled by the number of terms in each sum
    np.testing.assert_allclose(got, torch_reference(case, x, w, b), rtol=1e-5, atol=1e-5)


@backends
def test_integer_input_computes_in_float64(backend: Backend) -> None:
    got = backend.conv1d([[1, 2, 3, 4, 5]], [[[1, -1]]], dilation=3)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [[-3.0, -3.0]])


# --- property tests: random shapes, strides, paddings, dilations and groups -----------------------


@st.composite
def problems(draw: st.DrawFn, n_spatial: int = 2, max_dilation: int = 3) -> dict:
    """A random valid call: operands of random shape and the keyword arguments."""
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = draw(st.tuples(*[st.integers(1, 3)] * n_spatial))
    dilation = draw(st.tuples(*[st.integers(1, max_dilation)] * n_spatial))
    stride = draw(st.tuples(*[st.integers(1, 2)] * n_spatial))
    padding = draw(st.tuples(*[st.integers(0, 2)] * n_spatial))
    size = tuple(
        max(1, d * (k - 1) + 1 - 2 * p + draw(st.integers(0, 4))) for k, d, p in zip(kernel, dilation, padding)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return dict(
        x=rng.standard_normal((draw(st.integers(0, 2)), c_in, *size)),
        w=rng.standard_normal((c_out, c_in // groups, *kernel)),
        kwargs=dict(stride=stride, padding=padding, dilation=dilation, groups=groups),
    )


def dense_conv2d(x: np.ndarray, w: np.ndarray, stride: tuple[int, int], groups: int) -> np.ndarray:
    """An ordinary (dilation 1) convolution of an already padded input, independent of any backend."""
    kh, kw = w.shape[2:]
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, :: stride[0], :: stride[1]]  # (N, C, H', W', kh, kw)
    xs = np.split(windows, groups, axis=1)
    ws = np.split(w, groups, axis=0)
    return np.concatenate([np.einsum("nchwij,ocij->nohw", xg, wg) for xg, wg in zip(xs, ws)], axis=1)


def zero_insert(w: np.ndarray, dilation: tuple[int, int]) -> np.ndarray:
    """The dense kernel equal to ``w`` dilated: d - 1 zeros between neighbouring taps."""
    kh, kw = w.shape[2:]
    dense = np.zeros((*w.shape[:2], dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1), w.dtype)
    dense[:, :, :: dilation[0], :: dilation[1]] = w
    return dense


@all_backends
@given(problems(max_dilation=1))
def test_dilation_one_is_ordinary_convolution(backend: Backend, p: dict) -> None:
    kw = p["kwargs"]
    padded = np.pad(p["x"], ((0, 0), (0, 0), *[(q, q) for q in kw["padding"]]))
    expected = dense_conv2d(padded, p["w"], kw["stride"], kw["groups"])
    np.testing.assert_allclose(backend.conv2d(p["x"], p["w"], **kw), expected, rtol=1e-10, atol=1e-10)


@all_backends
@given(problems())
def test_dilated_kernel_equals_zero_inserted_dense_kernel(backend: Backend, p: dict) -> None:
    kw = p["kwargs"]
    dense = zero_insert(p["w"], kw["dilation"])
    expected = backend.conv2d(p["x"], dense, **{**kw, "dilation": 1})
    np.testing.assert_allclose(backend.conv2d(p["x"], p["w"], **kw), expected, rtol=1e-10, atol=1e-10)


@all_backends
@given(problems(), st.floats(-3, 3), st.floats(-3, 3))
def test_linear_in_input_and_weight(backend: Backend, p: dict, a: float, c: float) -> None:
    x, w, kw = p["x"], p["w"], p["kwargs"]
    x2, w2 = np.cos(x), np.sin(w)  # a second operand of the same shapes
    conv = backend.conv2d
    np.testing.assert_allclose(
        conv(a * x + c * x2, w, **kw), a * conv(x, w, **kw) + c * conv(x2, w, **kw), rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(
        conv(x, a * w + c * w2, **kw), a * conv(x, w, **kw) + c * conv(x, w2, **kw), rtol=1e-9, atol=1e-9
    )


@all_backends
@given(problems(n_spatial=1, max_dilation=4))
def test_conv1d_output_shape_is_output_size(backend: Backend, p: dict) -> None:
    x, w, kw = p["x"], p["w"], p["kwargs"]
    (k,), (s,), (q,), (d,) = w.shape[2:], kw["stride"], kw["padding"], kw["dilation"]
    expected = (x.shape[0], w.shape[0], output_size(x.shape[2], k, s, q, d))
    assert backend.conv1d(x, w, **kw).shape == expected


@all_backends
@given(problems())
def test_conv2d_output_shape_is_output_size(backend: Backend, p: dict) -> None:
    x, w, kw = p["x"], p["w"], p["kwargs"]
    sizes = [
        output_size(i, k, s, q, d)
        for i, k, s, q, d in zip(x.shape[2:], w.shape[2:], kw["stride"], kw["padding"], kw["dilation"])
    ]
    assert backend.conv2d(x, w, **kw).shape == (x.shape[0], w.shape[0], *sizes)
