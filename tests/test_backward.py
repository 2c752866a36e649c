"""The backward pass by hand against torch.autograd, on the shared case table, in float64."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dilconv_lib.accelerated import conv1d_unfold, conv2d_unfold
from dilconv_lib.backward import conv2d_grad_bias, conv2d_grad_input, conv2d_grad_weight
from dilconv_lib.geometry import conv_geometry
from tests.cases import CASE_BY_NAME, CASES, Case

cases = pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])


def as_2d(case: Case, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """A case as a 2-D call: a 1-D one gets a unit axis in front of the length (:meth:`ConvGeometry.as_2d`)."""
    if case.n_spatial == 2:
        return x, w, dict(case.kwargs)
    g = conv_geometry(x.shape, w.shape, n_spatial=1, **case.kwargs).as_2d()
    kw = {"stride": g.stride, "dilation": g.dilation, "groups": g.groups}
    # torch takes symmetric padding as numbers; "same" (maybe one more zero after) stays the string
    padding = case.kwargs.get("padding", 0)
    kw["padding"] = padding if isinstance(padding, str) else tuple(before for before, _ in g.padding)
    return x[..., None, :], w[..., None, :], kw


def autograd(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, gy: np.ndarray, kw: dict
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    xt, wt = torch.from_numpy(x).requires_grad_(), torch.from_numpy(w).requires_grad_()
    bt = None if b is None else torch.from_numpy(b).requires_grad_()
    F.conv2d(xt, wt, bt, **kw).backward(torch.from_numpy(gy))
    return xt.grad.numpy(), wt.grad.numpy(), None if bt is None else bt.grad.numpy()


def grad_output_for(x: np.ndarray, w: np.ndarray, kw: dict, seed: int = 2) -> np.ndarray:
    shape = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), **kw).shape
    return np.random.default_rng(seed).standard_normal(tuple(shape))


@cases
def test_gradients_match_autograd(case: Case) -> None:
    x, w, b = case.operands(np.float64)
    x, w, kw = as_2d(case, x, w)
    gy = grad_output_for(x, w, kw)
    gx, gw, gb = autograd(x, w, b, gy, kw)
    np.testing.assert_allclose(conv2d_grad_input(gy, w, x.shape, **kw), gx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv2d_grad_weight(x, gy, w.shape, **kw), gw, rtol=1e-12, atol=1e-12)
    if gb is not None:
        np.testing.assert_allclose(conv2d_grad_bias(gy), gb, rtol=1e-12, atol=1e-12)


def _symmetric(case: Case) -> bool:
    """conv_transpose2d pads symmetrically; "same" with an even effective kernel does not."""
    x, w, _ = case.operands()
    g = conv_geometry(x.shape, w.shape, n_spatial=case.n_spatial, **case.kwargs)
    return all(before == after for before, after in g.padding)


SYMMETRIC = [c for c in CASES if _symmetric(c)]


@pytest.mark.parametrize("case", SYMMETRIC, ids=[c.name for c in SYMMETRIC])
def test_grad_input_is_a_transposed_convolution(case: Case) -> None:
    """F.conv_transpose2d with output_padding = the rows the forward's last window stepped over."""
    x, w, _ = case.operands(np.float64)
    x, w, kw = as_2d(case, x, w)
    g = conv_geometry(x.shape, w.shape, **kw)
    padding = tuple(before for before, _ in g.padding)
    output_padding = tuple(
        (i + 2 * p - d * (k - 1) - 1) % s for i, k, s, p, d in zip(g.in_size, g.kernel, g.stride, padding, g.dilation)
    )
    gy = grad_output_for(x, w, kw)
    expected = F.conv_transpose2d(
        torch.from_numpy(gy),
        torch.from_numpy(w),
        bias=None,
        stride=g.stride,
        padding=padding,
        output_padding=output_padding,
        groups=g.groups,
        dilation=g.dilation,
    )
    np.testing.assert_allclose(conv2d_grad_input(gy, w, x.shape, **kw), expected.numpy(), rtol=1e-12, atol=1e-12)


def test_transposed_check_covers_most_cases() -> None:
    assert len(SYMMETRIC) >= len(CASES) - 3


def test_float32_stays_float32() -> None:
    case = CASE_BY_NAME["strided_dilated_padded"]
    x, w, _ = case.operands(np.float32)
    gy = grad_output_for(x, w, case.kwargs).astype(np.float32)
    assert conv2d_grad_input(gy, w, x.shape, **case.kwargs).dtype == np.float32
    assert conv2d_grad_weight(x, gy, w.shape, **case.kwargs).dtype == np.float32
    assert conv2d_grad_bias(gy).dtype == np.float32


def test_grad_output_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="grad_output must have the forward output's shape"):
        conv2d_grad_input(np.ones((1, 3, 5, 5)), np.ones((3, 2, 3, 3)), (1, 2, 5, 5), dilation=1)
    with pytest.raises(ValueError, match="grad_output"):
        conv2d_grad_weight(np.ones((1, 2, 5, 5)), np.ones((1, 3, 4, 4)), (3, 2, 3, 3))
    with pytest.raises(ValueError, match="groups"):
        conv2d_grad_input(np.ones((1, 3, 3, 3)), np.ones((3, 2, 3, 3)), (1, 4, 5, 5), groups=3)


GRADCHECK_CALLS = [
    ("strided_dilated_padded", (1, 2, 7, 6), (2, 2, 2, 3), dict(stride=2, padding=1, dilation=2)),
    ("same_even_kernel", (1, 1, 5, 6), (2, 1, 2, 2), dict(padding="same", dilation=(2, 1))),
    ("grouped_unbatched", (4, 5, 5), (2, 2, 3, 3), dict(groups=2, dilation=2, padding=1)),
]


@pytest.mark.parametrize(
    "input_shape, weight_shape, kw", [c[1:] for c in GRADCHECK_CALLS], ids=[c[0] for c in GRADCHECK_CALLS]
)
def test_gradcheck_unfold(input_shape: tuple, weight_shape: tuple, kw: dict) -> None:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(input_shape, dtype=torch.float64, generator=gen, requires_grad=True)
    w = torch.randn(weight_shape, dtype=torch.float64, generator=gen, requires_grad=True)
    b = torch.randn(weight_shape[0], dtype=torch.float64, generator=gen, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, w, b: conv2d_unfold(x, w, b, **kw), (x, w, b), fast_mode=True)


def test_gradcheck_unfold_1d() -> None:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 2, 9, dtype=torch.float64, generator=gen, requires_grad=True)
    w = torch.randn(2, 2, 3, dtype=torch.float64, generator=gen, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda x, w: conv1d_unfold(x, w, stride=2, padding=1, dilation=3), (x, w), fast_mode=True
    )


def test_gradcheck_unfold_full_jacobian() -> None:
    """Every entry of the Jacobian, not random projections of it: a tiny call keeps it cheap."""
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(1, 1, 5, 4, dtype=torch.float64, generator=gen, requires_grad=True)
    w = torch.randn(2, 1, 2, 2, dtype=torch.float64, generator=gen, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, w: conv2d_unfold(x, w, stride=2, padding=1, dilation=2), (x, w))
