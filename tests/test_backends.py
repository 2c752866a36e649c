"""Every backend (tests/cases.py's BACKENDS) against torch.nn.functional on the case table, in float64 and
float32, and against an independent dense reference on random calls; what every backend must leave alone.

What is specific to one backend lives in its own file: the vectorized strategies' helpers in
test_vectorized.py, the torch backends' tensor checks in test_accelerated.py; the bad calls in test_bad_input.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from dilconv_lib import output_size
from tests.cases import (
    BACKENDS,
    CASES,
    Backend,
    Case,
    backend_dimensions,
    backend_params,
    dense_reference,
    torch_reference,
)

every_backend = pytest.mark.parametrize("backend", BACKENDS, ids=[b.name for b in BACKENDS])


@pytest.fixture
def ieee_float32_on_cuda() -> Iterator[None]:
    """cuDNN computes float32 convolutions in TF32 by default (10-bit mantissa); compare in full float32."""
    if not torch.cuda.is_available():
        yield
        return
    conv = torch.backends.cudnn.conv
    before = conv.fp32_precision
    conv.fp32_precision = "ieee"
    yield
    conv.fp32_precision = before


def run(backend: Backend, case: Case, *operands: np.ndarray | None) -> np.ndarray:
    return backend.conv(case.n_spatial)(*operands, **case.kwargs)


@pytest.mark.parametrize("backend, case", backend_params(CASES))
def test_matches_torch_float64(backend: Backend, case: Case) -> None:
    x, w, b = case.operands(np.float64)
    expected = torch_reference(case, x, w, b)
    got = run(backend, case, x, w, b)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    assert got.shape == expected.shape
    if backend.device is None:  # a NumPy backend hands back a fresh C-ordered array, whatever the input's layout
        assert got.flags.c_contiguous
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.usefixtures("ieee_float32_on_cuda")
@pytest.mark.parametrize("backend, case", backend_params(CASES))
def test_float32_stays_float32(backend: Backend, case: Case) -> None:
    x, w, b = case.operands(np.float32, seed=1)
    got = run(backend, case, x, w, b)
    assert got.dtype == np.float32
    # float32 rounding, scaled by the number of terms in each sum
    np.testing.assert_allclose(got, torch_reference(case, x, w, b), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b.device is None], ids=lambda b: b.name)
def test_integer_lists_compute_in_float64(backend: Backend) -> None:
    """A NumPy backend takes anything NumPy reads as numbers: nested lists of ints, in 1-D and 2-D."""
    if backend.runs(1):
        got = backend.conv(1)([[1, 2, 3, 4, 5]], [[[1, -1]]], dilation=3)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, [[-3.0, -3.0]])
    got = backend.conv(2)([[[1, 2, 3, 4, 5]]], [[[[1, -1]]]], dilation=(1, 3))
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [[[-3.0, -3.0]]])


@every_backend
def test_leaves_its_operands_alone(backend: Backend) -> None:
    x, w, b = CASES[0].operands()
    copies = [a.copy() for a in (x, w, b)]
    backend.conv(2)(x, w, b, padding=2, dilation=2)
    for before, after in zip(copies, (x, w, b)):
        np.testing.assert_array_equal(before, after)


@every_backend
def test_channels_last_input_gives_the_same_values(backend: Backend) -> None:
    """An NCHW view of channels-last memory (a torch backend gets it as a channels_last tensor)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 9, 10, 4)).transpose(0, 3, 1, 2)  # (N, C, H, W), not C-contiguous
    w = rng.standard_normal((6, 2, 3, 3))
    kwargs = dict(padding=2, dilation=(2, 3), groups=2)
    expected = F.conv2d(torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(w), **kwargs).numpy()
    np.testing.assert_allclose(backend.conv(2)(x, w, **kwargs), expected, rtol=1e-12, atol=1e-12)


# --- random calls: shapes, strides, paddings, dilations, groups and bias --------------------------------


@st.composite
def problems(draw: st.DrawFn, n_spatial: int) -> dict:
    """A random valid call: operands of random shape (bias or not) and the keyword arguments."""
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = draw(st.tuples(*[st.integers(1, 3)] * n_spatial))
    dilation = draw(st.tuples(*[st.integers(1, 4)] * n_spatial))
    stride = draw(st.tuples(*[st.integers(1, 2)] * n_spatial))
    padding = draw(st.tuples(*[st.integers(0, 2)] * n_spatial))
    size = tuple(
        max(1, d * (k - 1) + 1 - 2 * p + draw(st.integers(0, 4))) for k, d, p in zip(kernel, dilation, padding)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return dict(
        x=rng.standard_normal((draw(st.integers(0, 2)), c_in, *size)),
        w=rng.standard_normal((c_out, c_in // groups, *kernel)),
        b=rng.standard_normal(c_out) if draw(st.booleans()) else None,
        kwargs=dict(stride=stride, padding=padding, dilation=dilation, groups=groups),
    )


@pytest.mark.parametrize("backend, n_spatial", backend_dimensions())
@given(data=st.data())
def test_random_call_equals_the_zero_inserted_dense_reference(
    backend: Backend, n_spatial: int, data: st.DataObject
) -> None:
    """Against :func:`tests.cases.dense_reference` (no backend in it): the values, and the shape that
    :func:`dilconv_lib.output_size` gives. Dilation 1 is ordinary convolution, a dilated kernel is the
    zero-inserted dense one, and the result is bilinear in input and weight: all three are the reference."""
    p = data.draw(problems(n_spatial))
    x, w, b, kw = p["x"], p["w"], p["b"], p["kwargs"]
    got = backend.conv(n_spatial)(x, w, b, **kw)
    sizes = [
        output_size(i, k, s, q, d)
        for i, k, s, q, d in zip(x.shape[2:], w.shape[2:], kw["stride"], kw["padding"], kw["dilation"])
    ]
    assert got.shape == (x.shape[0], w.shape[0], *sizes)
    expected = dense_reference(x, w, b, kw["stride"], kw["padding"], kw["dilation"], kw["groups"])
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)
