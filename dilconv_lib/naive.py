"""Dilated convolution as plain loops: the defining sum, one multiply-add at a time.

The reference every faster backend is checked against. Slow on purpose: each loop is one
index of the sum, so the code reads like the formula. For an input ``x`` padded with zeros,
a weight ``w`` and groups of ``C_in / groups`` input channels,

    out[n, co, i, j] = bias[co] + sum_{ci, ki, kj} w[co, ci, ki, kj] * x[n, g*C_in/groups + ci, i*s + ki*d, j*s + kj*d]

where ``g = co // (C_out / groups)`` is the group of output channel ``co``. The output size is
:func:`dilconv_lib.geometry.output_size`; argument checks live in :func:`dilconv_lib.geometry.conv_geometry`.
Signatures are those of ``torch.nn.functional.conv1d`` / ``conv2d``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from dilconv_lib.checks import IntOrTuple, Padding
from dilconv_lib.geometry import checked_arrays

__all__ = ["conv1d", "conv2d"]


def conv1d(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """1-D dilated convolution (cross-correlation, as in torch) by loops.

    Parameters
    ----------
    input : (N, C_in, L) or (C_in, L)
    weight : (C_out, C_in / groups, k)
    bias : (C_out,) or None
    stride, dilation : int or 1-tuple, >= 1
    padding : int or 1-tuple >= 0, ``"valid"`` or ``"same"``
    groups : int dividing C_in and C_out

    Returns
    -------
    (N, C_out, L_out) or (C_out, L_out), in the input's float dtype, with
    ``L_out = output_size(L, k, stride, padding, dilation)``.

    Examples
    --------
    Taps at offsets 0 and 2 (dilation 2): out[i] = x[i] + x[i + 2].

    >>> conv1d([[1.0, 2.0, 3.0, 4.0, 5.0]], [[[1.0, 1.0]]], dilation=2)
    array([[4., 6., 8.]])
    """
    x, w, b, g = checked_arrays(
        input, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups, n_spatial=1
    )
    x = np.pad(x if g.batched else x[None], ((0, 0), (0, 0), *g.padding))  # (N, C_in, L + pads)
    (k,), (s,), (d,), (length,) = g.kernel, g.stride, g.dilation, g.out_size
    out = np.zeros((g.n, g.c_out, length), dtype=x.dtype)
    for n in range(g.n):
        for co in range(g.c_out):
            first = (co // g.c_out_per_group) * g.c_in_per_group  # first input channel of co's group
            for i in range(length):
                total = x.dtype.type(0) if b is None else b[co]
                for ci in range(g.c_in_per_group):
                    for ki in range(k):
                        total += w[co, ci, ki] * x[n, first + ci, i * s + ki * d]
                out[n, co, i] = total
    return out if g.batched else out[0]


def conv2d(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D dilated convolution (cross-correlation, as in torch) by loops.

    Parameters
    ----------
    input : (N, C_in, H, W) or (C_in, H, W)
    weight : (C_out, C_in / groups, kH, kW)
    bias : (C_out,) or None
    stride, dilation : int or (int, int), >= 1; a tuple sets (rows, columns)
    padding : int or (int, int) >= 0, ``"valid"`` or ``"same"``
    groups : int dividing C_in and C_out

    Returns
    -------
    (N, C_out, H_out, W_out) or (C_out, H_out, W_out), in the input's float dtype, with
    ``H_out = output_size(H, kH, stride[0], padding[0], dilation[0])`` and likewise ``W_out``.

    Examples
    --------
    A 2x2 kernel of ones with dilation 2 sums the four corners of each 3x3 window.

    >>> x = np.arange(16.0).reshape(1, 4, 4)  # (C_in=1, H=4, W=4)
    >>> conv2d(x, np.ones((1, 1, 2, 2)), dilation=2)  # (C_out=1, 4 - 3 + 1, 4 - 3 + 1)
    array([[[20., 24.],
            [36., 40.]]])
    """
    x, w, b, g = checked_arrays(input, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups)
    x = np.pad(x if g.batched else x[None], ((0, 0), (0, 0), *g.padding))  # (N, C_in, H + pads, W + pads)
    (kh, kw), (sh, sw), (dh, dw), (height, width) = g.kernel, g.stride, g.dilation, g.out_size
    out = np.zeros((g.n, g.c_out, height, width), dtype=x.dtype)
    for n in range(g.n):
        for co in range(g.c_out):
            first = (co // g.c_out_per_group) * g.c_in_per_group  # first input channel of co's group
            for i in range(height):
                for j in range(width):
                    total = x.dtype.type(0) if b is None else b[co]
                    for ci in range(g.c_in_per_group):
                        for ki in range(kh):
                            for kj in range(kw):
                                total += w[co, ci, ki, kj] * x[n, first + ci, i * sh + ki * dh, j * sw + kj * dw]
                    out[n, co, i, j] = total
    return out if g.batched else out[0]
