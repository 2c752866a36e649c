"""Dilated convolution in NumPy with no Python loop over pixels.

Every strategy turns the convolution into matrix products over channels (GEMMs, run by BLAS).
They differ in how many kernel taps one product takes, which trades copying the input against
adding partial results:

=============================  ==============================  ===========================  ======================
strategy                       matrix products                 inner size K                 copies of the input
=============================  ==============================  ===========================  ======================
:func:`conv2d_taps`            ``kH * kW``, one per tap        ``C_in / groups``            one tap's patch at a time
:func:`conv2d_rows`            ``kH``, one per kernel row      ``kW * C_in / groups``       ``kW``
:func:`conv2d_im2col`          one                             ``kH * kW * C_in / groups``  ``kH * kW``
:func:`conv2d_space_to_batch`  those of an undilated conv      as that conv's               one, and the output
=============================  ==============================  ===========================  ======================

All four take ``torch.nn.functional.conv2d``'s signature and agree with the naive loops of
:mod:`dilconv_lib.naive` to float rounding; :func:`conv2d` runs the one :func:`choose_strategy`
picks, and :func:`conv1d` runs :func:`conv2d` on a unit axis. The tap loop restricts each tap to the
outputs where it reads real input (:func:`tap_range`), so it never builds nor multiplies zero
padding; the row strategy does the same for rows of padding, and im2col multiplies all of it.
The fourth is another view of dilation rather than another layout: a dilation-``d`` convolution is
an ordinary convolution of each of the ``d**2`` interleaved sub-images (space-to-batch, the way
``tf.nn.atrous_conv2d`` computes it), re-interleaved afterwards.

A dilated kernel equals a dense kernel with ``d - 1`` zeros between taps (:func:`dilate_kernel`);
convolving with that dense kernel gives the same result at a cost that grows like ``d**2``.

Argument checks live in :mod:`dilconv_lib.checks`; the output size is
:func:`dilconv_lib.geometry.output_size`. The input's float dtype is kept: float32 stays float32.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from dilconv_lib.checks import IntOrTuple, Padding, as_float_array, check_tuple
from dilconv_lib.geometry import ConvGeometry, checked_arrays, conv_geometry

__all__ = [
    "STRATEGIES",
    "batch_to_space",
    "choose_strategy",
    "conv1d",
    "conv2d",
    "conv2d_im2col",
    "conv2d_rows",
    "conv2d_space_to_batch",
    "conv2d_taps",
    "dilate_kernel",
    "im2col_bytes",
    "im2col_columns",
    "space_to_batch",
    "tap_range",
]

Core = Callable[[np.ndarray, np.ndarray, ConvGeometry], np.ndarray]


# --- shared steps: check, find where a tap reads real input, finish ---------------------------------


def _prepare(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None,
    stride: IntOrTuple,
    padding: Padding,
    dilation: IntOrTuple,
    groups: int,
    n_spatial: int = 2,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, ConvGeometry]:
    """Check a conv2d call; return input as (N, C_in, H, W), weight (C_out, C_in/G, kH, kW), bias, geometry.

    A conv1d call (``n_spatial=1``) comes back as the same call in 2-D (:meth:`ConvGeometry.as_2d`):
    input (N, C_in, 1, L), weight (C_out, C_in/G, 1, k).
    """
    x, w, b, g = checked_arrays(
        input, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups, n_spatial=n_spatial
    )
    x = x if g.batched else x[None]
    if n_spatial == 1:
        x, w, g = x[:, :, None, :], w[:, :, None, :], g.as_2d()
    return x, w, b, g


def _finish(out: np.ndarray, b: np.ndarray | None, g: ConvGeometry) -> np.ndarray:
    """Add the bias to (N, C_out, H_out, W_out) and drop the batch axis of an unbatched call."""
    if b is not None:
        out += b[:, None, None]
    return out if g.batched else out[0]


def _run(
    core: Core,
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None,
    stride: IntOrTuple,
    padding: Padding,
    dilation: IntOrTuple,
    groups: int,
) -> np.ndarray:
    """Check the call, run one strategy's core on the checked operands, add the bias."""
    x, w, b, g = _prepare(input, weight, bias, stride, padding, dilation, groups)
    return _finish(core(x, w, g), b, g)


def tap_range(g: ConvGeometry, axis: int, tap: int) -> tuple[slice, slice]:
    """Where kernel tap ``tap`` along ``axis`` reads real (not padding) input.

    Output index ``o`` reads input index ``o * s + tap * d - p_before``. Returns the slice of
    output indices for which that lies inside the input, and the slice of input indices they
    read (step ``s``); both are empty when the tap only ever sees padding.

    Examples
    --------
    64 pixels, 3 taps, dilation 16, padding 16: the first tap reads padding for outputs 0..15.

    >>> g = conv_geometry((1, 1, 64, 64), (1, 1, 3, 3), padding=16, dilation=16)
    >>> [tap_range(g, 0, t) for t in range(3)]  # doctest: +NORMALIZE_WHITESPACE
    [(slice(16, 64, None), slice(0, 48, 1)),
     (slice(0, 64, None), slice(0, 64, 1)),
     (slice(0, 48, None), slice(16, 64, 1))]
    """
    s, d, (before, _) = g.stride[axis], g.dilation[axis], g.padding[axis]
    size, out_size = g.in_size[axis], g.out_size[axis]
    offset = tap * d - before  # the input index output 0 reads
    # first o with o*s + offset >= 0, and one past the last o with o*s + offset <= size - 1 (ceil divisions)
    first = min(out_size, max(0, -(offset // s)))
    stop = max(first, min(out_size, -((offset - size) // s)))
    if stop == first:
        return slice(first, first), slice(0, 0)
    return slice(first, stop), slice(first * s + offset, (stop - 1) * s + offset + 1, s)


def _group_weight(w: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """(C_out, C_in/G, kH, kW) -> (G, C_out/G, C_in/G, kH, kW): groups become a batch axis of matmul."""
    return w.reshape(g.groups, g.c_out_per_group, g.c_in_per_group, *g.kernel)


# --- strategy 1: the tap loop ---------------------------------------------------------------------


def _taps(x: np.ndarray, w: np.ndarray, g: ConvGeometry) -> np.ndarray:
    n, (kh, kw), (h_out, w_out) = g.n, g.kernel, g.out_size
    xg = x.reshape(n, g.groups, g.c_in_per_group, *g.in_size)  # (N, G, C_in/G, H, W)
    wg = _group_weight(w, g)
    out = np.zeros((n, g.groups, g.c_out_per_group, h_out, w_out), x.dtype)
    for ki, kj in np.ndindex(kh, kw):
        (rows, src_rows), (cols, src_cols) = tap_range(g, 0, ki), tap_range(g, 1, kj)
        patch = xg[..., src_rows, src_cols]  # (N, G, C_in/G, h, w): a strided view of the input
        h, w_ = patch.shape[-2:]
        if h * w_ == 0:
            continue  # this tap reads only padding
        # (G, C_out/G, C_in/G) @ (N, G, C_in/G, h*w): one product over channels (reshape copies the patch)
        product = wg[..., ki, kj] @ patch.reshape(n, g.groups, g.c_in_per_group, h * w_)
        out[..., rows, cols] += product.reshape(n, g.groups, g.c_out_per_group, h, w_)
    return out.reshape(n, g.c_out, h_out, w_out)


def conv2d_taps(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D dilated convolution as a tap loop (shift-and-add): one matrix product per kernel tap.

    For each tap ``(ki, kj)`` the input pixels it reads form a strided view of the input, shifted by
    ``(ki * d_h, kj * d_w)``; multiplying that view by the tap's ``(C_out, C_in)`` weight matrix and
    adding the result to the output is the whole algorithm. Each tap is restricted to the outputs
    where it reads real input (:func:`tap_range`), so padding is never built nor multiplied.

    Parameters and shapes are those of :func:`conv2d`: input (N, C_in, H, W) or (C_in, H, W),
    weight (C_out, C_in / groups, kH, kW), bias (C_out,) or None; output (N, C_out, H_out, W_out)
    in the input's float dtype.

    Examples
    --------
    Dilation 2 with a (1, 2) kernel of ones adds each pixel to the one two columns to its right.

    >>> x = np.arange(5.0).reshape(1, 1, 5)  # (C_in=1, H=1, W=5)
    >>> conv2d_taps(x, np.ones((1, 1, 1, 2)), dilation=2)  # W_out = 5 - (2*(2-1)+1) + 1 = 3
    array([[[2., 4., 6.]]])
    """
    return _run(_taps, input, weight, bias, stride, padding, dilation, groups)


# --- strategy 2: one product per kernel row ----------------------------------------------------------


def _row_patches(x: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """The kW horizontal taps side by side: (n, G, kW * C_in/G, H, W_out), zero where a tap reads padding.

    ``cols[n, grp, kj * C_in/G + c, r, j] = x[n, grp * C_in/G + c, r, j * s_w + kj * d_w - p_left]``.
    """
    n, h, (w_out,), kw = len(x), g.in_size[0], g.out_size[1:], g.kernel[1]
    xg = x.reshape(n, g.groups, g.c_in_per_group, h, g.in_size[1])  # (n, G, C_in/G, H, W)
    cols = np.empty((n, g.groups, kw, g.c_in_per_group, h, w_out), x.dtype)
    for kj in range(kw):
        dst, src = tap_range(g, 1, kj)
        cols[:, :, kj, ..., dst] = xg[..., src]
        cols[:, :, kj, ..., : dst.start] = 0  # outputs whose tap kj falls in the left padding
        cols[:, :, kj, ..., dst.stop :] = 0  # ... or in the right padding
    return cols.reshape(n, g.groups, kw * g.c_in_per_group, h, w_out)


# Images per block in _rows: as many as keep one block's copied columns within this many bytes, so that
# the products read them from cache. (The loop is over blocks of whole images, never over pixels.)
ROWS_BLOCK_BYTES = 4 * 2**20


def _rows(x: np.ndarray, w: np.ndarray, g: ConvGeometry) -> np.ndarray:
    (kh, kw), (h_out, w_out) = g.kernel, g.out_size
    k = g.c_in_per_group * kw
    # one (C_out/G, K) weight matrix per kernel row, columns ordered (kj, c) like the copied columns
    w_rows = np.ascontiguousarray(_group_weight(w, g).transpose(3, 0, 1, 4, 2)).reshape(kh, g.groups, -1, k)
    # kernel rows by decreasing number of valid output rows: the first writes `out`, the rest add to it
    ranges = sorted(((tap_range(g, 0, ki), ki) for ki in range(kh)), key=lambda r: r[0][0].start - r[0][0].stop)
    out = np.empty((g.n, g.groups, g.c_out_per_group, h_out, w_out), x.dtype)
    image_cols = kw * g.c_in * g.in_size[0] * w_out * x.itemsize  # bytes of one image's copied columns
    step = max(1, ROWS_BLOCK_BYTES // image_cols)
    for first in range(0, g.n, step):
        cols = _row_patches(x[first : first + step], g)  # (n, G, K, H, W_out)
        n, o = len(cols), out[first : first + step]
        for i, ((rows, src_rows), ki) in enumerate(ranges):
            h = rows.stop - rows.start
            if i == 0:  # zero the output rows that the widest kernel row does not write
                o[..., : rows.start, :] = 0
                o[..., rows.stop :, :] = 0
            if h == 0:
                continue  # this kernel row reads only padding
            block = cols[..., src_rows, :].reshape(n, g.groups, k, h * w_out)  # a view when the stride is 1
            target = o[..., rows, :].reshape(n, g.groups, g.c_out_per_group, h * w_out)  # a view of `out`
            if i == 0:
                np.matmul(w_rows[ki], block, out=target)
            else:
                target += w_rows[ki] @ block
    return out.reshape(g.n, g.c_out, h_out, w_out)


def conv2d_rows(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D dilated convolution with one matrix product per kernel row (im2col along rows only).

    The ``kW`` taps of a kernel row are copied side by side once (``kW`` shifted copies of the
    input, zero where they read the left or right padding); then each of the ``kH`` kernel rows is
    one product with inner size ``kW * C_in / groups``, over the image rows it reads: a shift by
    whole rows, which needs no copy. Rows of padding are never built nor multiplied.

    Parameters and shapes are those of :func:`conv2d`.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4)  # (C_in=1, H=4, W=4)
    >>> conv2d_rows(x, np.ones((1, 1, 2, 2)), dilation=2)  # the four corners of each 3x3 window
    array([[[20., 24.],
            [36., 40.]]])
    """
    return _run(_rows, input, weight, bias, stride, padding, dilation, groups)


# --- strategy 3: im2col and one product --------------------------------------------------------------


def _pad(x: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """(N, C, H, W) -> (N, C, H + pads, W + pads), zeros around."""
    (t, bo), (le, ri) = g.padding
    h, w = g.in_size
    xp = np.zeros((*x.shape[:2], h + t + bo, w + le + ri), x.dtype)
    xp[..., t : t + h, le : le + w] = x
    return xp


def im2col_columns(x: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """The im2col matrix of ``x`` (N, C_in, H, W): (N, G, C_in/G * kH * kW, H_out * W_out), a copy.

    Column ``l`` of group ``grp`` holds the pixels output pixel ``l`` reads, ordered (channel, ki, kj).

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)  # (N=1, C_in=1, H=4, W=4)
    >>> g = conv_geometry(x.shape, (1, 1, 2, 2), dilation=2)
    >>> im2col_columns(x, g)[0, 0, :, 0]  # output pixel (0, 0) reads the corners of the top-left 3x3 window
    array([ 0.,  2.,  8., 10.])
    """
    n, (kh, kw), (sh, sw), (dh, dw), (h_out, w_out) = g.n, g.kernel, g.stride, g.dilation, g.out_size
    window = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # the dilated kernel's extent
    # (N, C_in, H_out, W_out, kH, kW): every window of the padded input, strided by s, taps d apart; a view
    patches = sliding_window_view(_pad(x, g), window, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    # the copy: each column one output pixel's inputs
    k = g.c_in_per_group * kh * kw
    return patches.transpose(0, 1, 4, 5, 2, 3).reshape(n, g.groups, k, h_out * w_out)


def _im2col(x: np.ndarray, w: np.ndarray, g: ConvGeometry) -> np.ndarray:
    cols = im2col_columns(x, g)  # (N, G, K, H_out * W_out)
    out: np.ndarray = (
        _group_weight(w, g).reshape(g.groups, g.c_out_per_group, -1) @ cols
    )  # (N, G, C_out/G, H_out*W_out)
    return out.reshape(g.n, g.c_out, *g.out_size)


def conv2d_im2col(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D dilated convolution as im2col and one matrix product.

    ``sliding_window_view`` of the padded input, stepped by the stride over positions and by the
    dilation inside each window, is a view of every patch the kernel reads; reshaping it to a
    (C_in / groups * kH * kW, H_out * W_out) matrix copies it (``kH * kW`` times the input, see
    :func:`im2col_bytes`), and one product with the (C_out, C_in / groups * kH * kW) weight matrix
    per group gives the output. Padding is built and multiplied.

    Parameters and shapes are those of :func:`conv2d`.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4)  # (C_in=1, H=4, W=4)
    >>> conv2d_im2col(x, np.ones((1, 1, 2, 2)), dilation=2)
    array([[[20., 24.],
            [36., 40.]]])
    """
    return _run(_im2col, input, weight, bias, stride, padding, dilation, groups)


def im2col_bytes(g: ConvGeometry, itemsize: int = 4) -> int:
    """Bytes of the matrix :func:`conv2d_im2col` builds: ``N * C_in * kH * kW * H_out * W_out`` items.

    >>> g = conv_geometry((1, 64, 64, 64), (64, 64, 3, 3), padding=2, dilation=2)
    >>> im2col_bytes(g) / 2**20  # MiB for float32: 9 times the 1 MiB input
    9.0
    """
    kh, kw = g.kernel
    return g.n * g.c_in * kh * kw * g.out_size[0] * g.out_size[1] * itemsize


# --- strategy 4: space-to-batch (the polyphase view) ---------------------------------------------------


def space_to_batch(xp: np.ndarray, dilation: tuple[int, int]) -> np.ndarray:
    """The ``d_h * d_w`` interleaved sub-images of ``xp`` (N, C, H, W) as a batch, H and W multiples of d.

    Sub-image ``(r, q)`` holds the pixels whose row is ``r`` and column ``q`` modulo the dilation; it is
    batch entry ``(r * d_w + q) * N + n``. Shape (d_h * d_w * N, C, H / d_h, W / d_w); a copy.

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)  # (N=1, C=1, H=4, W=4)
    >>> space_to_batch(x, (2, 2))[:, 0]  # four 2x2 sub-images: even rows and even columns first
    array([[[ 0.,  2.],
            [ 8., 10.]],
    <BLANKLINE>
           [[ 1.,  3.],
            [ 9., 11.]],
    <BLANKLINE>
           [[ 4.,  6.],
            [12., 14.]],
    <BLANKLINE>
           [[ 5.,  7.],
            [13., 15.]]])
    """
    (n, c, h, w), (dh, dw) = xp.shape, dilation
    # (N, C, H/dh, dh, W/dw, dw) -> (dh, dw, N, C, H/dh, W/dw): the phase (r, q) moves to the front
    phases = xp.reshape(n, c, h // dh, dh, w // dw, dw).transpose(3, 5, 0, 1, 2, 4)
    return phases.reshape(dh * dw * n, c, h // dh, w // dw)


def batch_to_space(yb: np.ndarray, dilation: tuple[int, int]) -> np.ndarray:
    """Undo :func:`space_to_batch`: (d_h * d_w * N, C, h, w) -> (N, C, h * d_h, w * d_w), a copy.

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> np.array_equal(batch_to_space(space_to_batch(x, (2, 2)), (2, 2)), x)
    True
    """
    (b, c, h, w), (dh, dw) = yb.shape, dilation
    n = b // (dh * dw)
    # (dh, dw, N, C, h, w) -> (N, C, h, dh, w, dw): row a of phase r goes to row a * dh + r
    return yb.reshape(dh, dw, n, c, h, w).transpose(2, 3, 4, 0, 5, 1).reshape(n, c, h * dh, w * dw)


def _space_to_batch(x: np.ndarray, w: np.ndarray, g: ConvGeometry) -> np.ndarray:
    (dh, dw), (kh, kw), (sh, sw) = g.dilation, g.kernel, g.stride
    (top, _), (left, _) = g.padding
    # the stride-1 output: output row i reads padded rows i, i + dh, ..., all of one phase i mod dh
    h1, w1 = (size + sum(pad) - d * (k - 1) for size, pad, d, k in zip(g.in_size, g.padding, g.dilation, g.kernel))
    # each sub-image needs ceil(h1 / dh) output rows, plus kH - 1 rows for the kernel; pad to that many
    rows, cols = -(-h1 // dh) + kh - 1, -(-w1 // dw) + kw - 1
    xp = np.zeros((g.n, g.c_in, rows * dh, cols * dw), x.dtype)
    h, w_ = g.in_size
    xp[..., top : top + h, left : left + w_] = x
    xb = space_to_batch(xp, (dh, dw))  # (dh * dw * N, C_in, rows, cols)
    gb = conv_geometry(xb.shape, w.shape, groups=g.groups)  # an ordinary convolution: dilation 1, no padding
    yb = STRATEGIES[choose_strategy(gb)](xb, w, gb)  # (dh * dw * N, C_out, rows - kH + 1, cols - kW + 1)
    # re-interleave, keep the stride-1 output's h1 x w1, then every s-th (tf.nn.atrous_conv2d has no stride)
    return np.ascontiguousarray(batch_to_space(yb, (dh, dw))[..., :h1:sh, :w1:sw])


def conv2d_space_to_batch(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D dilated convolution as an ordinary convolution of the ``d_h * d_w`` interleaved sub-images.

    The taps of a dilation-``d`` kernel are ``d`` pixels apart, so every output pixel reads pixels of
    one phase only: rows ``r, r + d, r + 2d, ...`` with ``r`` its own row modulo ``d``, and likewise
    columns. Taking every ``d``-th pixel of the padded input from offset ``(r, q)`` gives sub-image
    ``(r, q)``; on it the dilated kernel is an ordinary (``d = 1``) kernel. So: split the padded input into
    its ``d_h d_w`` sub-images and stack them on the batch axis (:func:`space_to_batch`), run one
    undilated convolution (:func:`conv2d`'s default strategy) on that batch, and interleave the results
    back (:func:`batch_to_space`). This is how ``tf.nn.atrous_conv2d`` computes atrous convolution. The
    padded input is first extended with zeros to a multiple of ``d`` along each axis; a stride is applied
    to the re-interleaved output (computing the outputs it skips).

    Parameters and shapes are those of :func:`conv2d`.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4)  # (C_in=1, H=4, W=4)
    >>> conv2d_space_to_batch(x, np.ones((1, 1, 2, 2)), dilation=2)  # sub-image (0, 0) is [[0, 2], [8, 10]]
    array([[[20., 24.],
            [36., 40.]]])
    """
    return _run(_space_to_batch, input, weight, bias, stride, padding, dilation, groups)


# --- the default: pick a strategy by shape ------------------------------------------------------------

# The strategies by name; vectorized.STRATEGIES[name](x, w, g) runs one on checked operands (see _prepare).
STRATEGIES: dict[str, Core] = {"taps": _taps, "rows": _rows, "im2col": _im2col, "space_to_batch": _space_to_batch}


# A product of at most THIN_ROWS output channels and an inner size below THIN_INNER is "thin" (choose_strategy).
THIN_ROWS = 32
THIN_INNER = 128


def choose_strategy(g: ConvGeometry) -> str:
    """The strategy :func:`conv2d` runs for a call of geometry ``g``: ``"rows"`` unless stated below.

    Measured on a 2-core x86 CPU with OpenBLAS, each strategy in a fresh process (``python -m
    dilconv_lib.bench`` and single-layer timings of 1x1 to 5x5 kernels, 1 to 256 channels, groups and
    strides): the row strategy copies ``kW`` times the input instead of ``kH * kW`` times (im2col), adds
    ``kH - 1`` partial results instead of ``kH * kW - 1`` (tap loop) and skips the rows of padding, and it
    was the fastest of the three except in three cases, where im2col was:

    - the output has more than 4 times the channels of the input (per group), as in the first layer of
      an RGB network: the partial results the row strategy adds are then much bigger than the input
      copies im2col makes;
    - a vertical stride above 1, for which the row strategy copies each block of rows it reads;
    - thin products: at most :data:`THIN_ROWS` output channels (per group) and an inner size
      ``kW * C_in / groups`` below :data:`THIN_INNER`. OpenBLAS splits a product between its threads by
      columns, and a product this thin costs its threads more to hand over than to compute: at 21 channels
      (the Basic context module), 64x64, each of the row strategy's three products ran twice as slowly on
      two threads as on one, while im2col's single product, three times as deep, used both threads well.

    The tap loop was never the fastest; it is the simplest to read.

    >>> choose_strategy(conv_geometry((1, 64, 64, 64), (64, 64, 3, 3), padding=2, dilation=2))
    'rows'
    >>> choose_strategy(conv_geometry((1, 3, 64, 64), (16, 3, 3, 3), padding=1))  # RGB in, 16 out
    'im2col'
    >>> choose_strategy(conv_geometry((1, 21, 64, 64), (21, 21, 3, 3), padding=2, dilation=2))  # 21 rows, inner 63
    'im2col'
    """
    thin = g.c_out_per_group <= THIN_ROWS and g.kernel[1] * g.c_in_per_group < THIN_INNER
    if g.stride[0] > 1 or g.c_out_per_group > 4 * g.c_in_per_group or thin:
        return "im2col"
    return "rows"


def conv2d(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D dilated convolution (cross-correlation, as in torch), vectorized.

    Runs :func:`conv2d_taps`, :func:`conv2d_rows` or :func:`conv2d_im2col`, as :func:`choose_strategy`
    decides from the shapes; all three give the same result to float rounding.

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
    (N, C_out, H_out, W_out) or (C_out, H_out, W_out), C-contiguous, in the input's float dtype, with
    ``H_out = output_size(H, kH, stride[0], padding[0], dilation[0])`` and likewise ``W_out``.

    Examples
    --------
    A 2x2 kernel of ones with dilation 2 sums the four corners of each 3x3 window.

    >>> x = np.arange(16.0).reshape(1, 4, 4)  # (C_in=1, H=4, W=4)
    >>> conv2d(x, np.ones((1, 1, 2, 2)), dilation=2)  # (C_out=1, 4 - 3 + 1, 4 - 3 + 1)
    array([[[20., 24.],
            [36., 40.]]])
    >>> conv2d(np.ones((1, 2, 8, 8), np.float32), np.ones((4, 2, 3, 3), np.float32), padding="same").dtype
    dtype('float32')
    """
    x, w, b, g = _prepare(input, weight, bias, stride, padding, dilation, groups)
    return _finish(STRATEGIES[choose_strategy(g)](x, w, g), b, g)


def conv1d(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """1-D dilated convolution (cross-correlation, as in torch): :func:`conv2d` on a unit axis.

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
    x, w, b, g = _prepare(input, weight, bias, stride, padding, dilation, groups, n_spatial=1)
    return _finish(STRATEGIES[choose_strategy(g)](x, w, g), b, g)[..., 0, :]


# --- the zero-inserted dense kernel -------------------------------------------------------------------


def dilate_kernel(weight: ArrayLike, dilation: IntOrTuple) -> np.ndarray:
    """The dense kernel equal to ``weight`` dilated by ``dilation``: ``d - 1`` zeros between taps.

    Convolving with it at dilation 1 gives what convolving with ``weight`` at ``dilation`` gives,
    but it has ``(d (k - 1) + 1)**2`` taps instead of ``k**2``: the work grows like ``d**2``.

    Parameters
    ----------
    weight : (C_out, C_in / groups, kH, kW) or (C_out, C_in / groups, k)
    dilation : int or tuple of one int per spatial axis, >= 1

    Returns
    -------
    (C_out, C_in / groups, d_h (kH - 1) + 1, d_w (kW - 1) + 1) (or the 1-D analogue), in weight's dtype.

    Examples
    --------
    >>> dilate_kernel([[[1.0, 2.0, 3.0]]], 2)  # 3 taps, 2 apart: extent 5
    array([[[1., 0., 2., 0., 3.]]])
    >>> dilate_kernel(np.ones((1, 1, 2, 2)), (1, 3))[0, 0]  # rows 1 apart, columns 3 apart
    array([[1., 0., 0., 1.],
           [1., 0., 0., 1.]])
    """
    w = as_float_array(weight, "weight")
    n_spatial = 1 if w.ndim == 3 else 2
    d = check_tuple(dilation, "dilation", n_spatial, minimum=1)
    # The checks of a convolution that this kernel fits exactly validate weight's shape.
    extent = [dd * (k - 1) + 1 for dd, k in zip(d, w.shape[2:])]
    conv_geometry((1, w.shape[1], *extent), w.shape, dilation=d, n_spatial=n_spatial)
    dense = np.zeros((*w.shape[:2], *extent), w.dtype)
    every = slice(None)
    dense[(every, every, *(slice(None, None, dd) for dd in d))] = w  # every d-th position of each spatial axis
    return dense
