"""The backward pass of 2-D dilated convolution, by hand, in NumPy.

The forward pass (see :mod:`dilconv_lib.naive`) with the input ``x`` zero-padded to ``xp``, stride
``s``, dilation ``d`` and ``g = co // (C_out / groups)`` the group of output channel ``co``:

    y[n, co, i, j] = b[co] + sum_{ci, ki, kj} w[co, ci, ki, kj] * xp[n, g*C_in/groups + ci, i*s + ki*d, j*s + kj*d]

Given ``gy = dL/dy`` (``grad_output``), the chain rule gives three sums over the same index set:

- ``dL/db[co]`` sums ``gy`` over n, i, j (:func:`conv2d_grad_bias`).
- ``dL/dw[co, ci, ki, kj]`` sums ``gy[n, co, i, j] * xp[n, ., i*s + ki*d, j*s + kj*d]`` over n, i, j:
  a correlation of ``xp`` with ``gy`` as the kernel, whose taps sit ``s`` apart (the stride becomes
  the kernel's dilation), sampled at steps of ``d`` (the dilation becomes the stride)
  (:func:`conv2d_grad_weight`).
- ``dL/dxp[n, c, u, v]`` collects ``gy[n, co, i, j] * w[co, ., ki, kj]`` from every (i, ki) with
  ``i*s + ki*d = u`` (likewise for columns): a transposed convolution. Put ``s - 1`` zeros between
  the pixels of ``gy`` (the stride becomes input dilation), pad ``d(k - 1)`` zeros on each side
  (and, after, the ``r`` rows the forward's last window stepped over), and correlate with the kernel
  flipped in space and with its input and output channels swapped, at the same dilation ``d``; then
  drop the padded border (:func:`conv2d_grad_input`).

Each function loops over the k x k kernel taps only; every pixel is handled by NumPy. The course
checks them against ``torch.autograd`` (and ``grad_input`` against ``F.conv_transpose2d``).
Argument checks are those of :func:`dilconv_lib.geometry.conv_geometry`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from dilconv_lib import vectorized
from dilconv_lib.checks import IntOrTuple, Padding, as_float_array
from dilconv_lib.geometry import ConvGeometry, conv_geometry
from dilconv_lib.i18n import tr

__all__ = ["conv2d_grad_bias", "conv2d_grad_input", "conv2d_grad_weight"]


def _batched_grad_output(grad_output: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """grad_output as (N, C_out, H_out, W_out), after checking it has the forward output's shape."""
    if grad_output.shape != g.output_shape:
        raise ValueError(
            tr(
                "grad_output must have the forward output's shape {expected}, got {shape}",
                expected=g.output_shape,
                shape=grad_output.shape,
            )
        )
    return grad_output if g.batched else grad_output[None]


def conv2d_grad_input(
    grad_output: ArrayLike,
    weight: ArrayLike,
    input_shape: Sequence[int],
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of a 2-D dilated convolution with respect to its input: a transposed convolution.

    1. Stride becomes input dilation: ``s - 1`` zeros between neighbouring pixels of grad_output.
    2. Pad ``d(k - 1)`` zeros before and ``d(k - 1) + r`` after, where ``r = (H + p0 + p1 - d(k - 1) - 1) mod s``
       counts the rows the forward's last window stepped over without reading (torch's ``output_padding``).
    3. Correlate with the same dilation ``d`` and the weight flipped in space, its input and output
       channels swapped within each group: the gradient with respect to the padded input.
    4. Drop the padding.

    Parameters
    ----------
    grad_output : (N, C_out, H_out, W_out) or (C_out, H_out, W_out), dL/d(output)
    weight : (C_out, C_in / groups, kH, kW)
    input_shape : (N, C_in, H, W) or (C_in, H, W), the forward input's shape
    stride, padding, dilation, groups : the forward call's arguments

    Returns
    -------
    dL/d(input), of shape ``input_shape``, in grad_output's float dtype.

    Examples
    --------
    One output of a 2-tap kernel with dilation 2 reads x[0] and x[2]; its gradient lands there.

    >>> conv2d_grad_input(np.ones((1, 1, 1)), np.array([[[[3.0, 5.0]]]]), (1, 1, 3), dilation=2)
    array([[[3., 0., 5.]]])
    """
    gy = as_float_array(grad_output, "grad_output")
    w = as_float_array(weight, "weight", gy.dtype)
    g = conv_geometry(input_shape, w.shape, stride=stride, padding=padding, dilation=dilation, groups=groups)
    gy = _batched_grad_output(gy, g)
    (kh, kw), (sh, sw), (dh, dw) = g.kernel, g.stride, g.dilation
    (height, width), (out_h, out_w), ((top, bottom), (left, right)) = g.in_size, g.out_size, g.padding
    # 1. zero insertion: (N, C_out, s(H_out - 1) + 1, s(W_out - 1) + 1)
    z = np.zeros((g.n, g.c_out, sh * (out_h - 1) + 1, sw * (out_w - 1) + 1), dtype=gy.dtype)
    z[:, :, ::sh, ::sw] = gy
    # 2. full padding, plus the rows and columns the forward never reached
    rh = (height + top + bottom - dh * (kh - 1) - 1) % sh
    rw = (width + left + right - dw * (kw - 1) - 1) % sw
    z = np.pad(z, ((0, 0), (0, 0), (dh * (kh - 1), dh * (kh - 1) + rh), (dw * (kw - 1), dw * (kw - 1) + rw)))
    # 3. flip in space, swap C_out/G and C_in/G within each group: (C_in, C_out / G, kH, kW)
    w_t = w.reshape(g.groups, g.c_out_per_group, g.c_in_per_group, kh, kw).swapaxes(1, 2)[..., ::-1, ::-1]
    w_t = w_t.reshape(g.c_in, g.c_out_per_group, kh, kw)
    # a stride-1 dilated correlation: the tap loop of notebook 02; (N, C_in, H + p0 + p1, W + p0 + p1)
    grad_padded = vectorized.conv2d_taps(z, w_t, dilation=g.dilation, groups=g.groups)
    # 4. the padded border held zeros, not inputs
    grad = grad_padded[:, :, top : top + height, left : left + width]
    return grad if g.batched else grad[0]


def conv2d_grad_weight(
    input: ArrayLike,
    grad_output: ArrayLike,
    weight_shape: Sequence[int],
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of a 2-D dilated convolution with respect to its weight.

    ``dL/dw[co, ci, ki, kj]`` is a correlation of the padded input with grad_output acting as the
    kernel: its taps sit ``s`` apart (the stride dilates it), and the result is sampled at steps
    of ``d`` (the dilation strides it), at the k x k points ``(ki*d, kj*d)``. Tap ``(ki, kj)``
    reads the padded input on the grid ``(ki*d + i*s, kj*d + j*s)``, summed over the batch.

    Parameters
    ----------
    input : (N, C_in, H, W) or (C_in, H, W), the forward input
    grad_output : (N, C_out, H_out, W_out) or (C_out, H_out, W_out), dL/d(output)
    weight_shape : (C_out, C_in / groups, kH, kW), the forward weight's shape
    stride, padding, dilation, groups : the forward call's arguments

    Returns
    -------
    dL/d(weight), of shape ``weight_shape``, in the input's float dtype.

    Examples
    --------
    Output i of a 2-tap kernel with dilation 2 reads x[i] and x[i + 2]; with dL/dy = 1 the taps'
    gradients are x[0] + x[1] and x[2] + x[3].

    >>> conv2d_grad_weight(np.array([[[1.0, 2.0, 3.0, 4.0]]]), np.ones((1, 1, 2)), (1, 1, 1, 2), dilation=2)
    array([[[[3., 7.]]]])
    """
    x = as_float_array(input, "input")
    gy = as_float_array(grad_output, "grad_output", x.dtype)
    g = conv_geometry(x.shape, weight_shape, stride=stride, padding=padding, dilation=dilation, groups=groups)
    gy = _batched_grad_output(gy, g)
    xp = np.pad(x if g.batched else x[None], ((0, 0), (0, 0), *g.padding))  # (N, C_in, H + pads, W + pads)
    (kh, kw), (sh, sw), (dh, dw), (out_h, out_w) = g.kernel, g.stride, g.dilation, g.out_size
    xg = xp.reshape(g.n, g.groups, g.c_in_per_group, *xp.shape[2:])
    gyg = gy.reshape(g.n, g.groups, g.c_out_per_group, out_h, out_w)
    grad = np.empty((g.groups, g.c_out_per_group, g.c_in_per_group, kh, kw), dtype=x.dtype)
    for ki in range(kh):
        for kj in range(kw):
            # the pixels tap (ki, kj) read: a grid s apart starting at (ki*d, kj*d); (N, G, C_in/G, H_out, W_out)
            window = xg[
                ..., ki * dh : ki * dh + sh * (out_h - 1) + 1 : sh, kj * dw : kj * dw + sw * (out_w - 1) + 1 : sw
            ]
            grad[..., ki, kj] = np.einsum("ngohw,ngchw->goc", gyg, window)
    return grad.reshape(g.c_out, g.c_in_per_group, kh, kw)


def conv2d_grad_bias(grad_output: ArrayLike) -> np.ndarray:
    """Gradient with respect to the bias: grad_output summed over everything but its channel axis.

    Parameters
    ----------
    grad_output : (N, C_out, H_out, W_out) or (C_out, H_out, W_out)

    Returns
    -------
    (C_out,)

    Examples
    --------
    >>> conv2d_grad_bias(np.ones((2, 3, 4, 5)))  # each bias is added at 2 * 4 * 5 = 40 places
    array([40., 40., 40.])
    """
    gy = as_float_array(grad_output, "grad_output")
    if gy.ndim not in (3, 4):
        raise ValueError(tr("grad_output must have 3 or 4 dimensions, got shape {shape}", shape=gy.shape))
    grad_bias: np.ndarray = gy.sum(axis=(0, 2, 3)) if gy.ndim == 4 else gy.sum(axis=(1, 2))  # (C_out,)
    return grad_bias
