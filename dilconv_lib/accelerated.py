"""Dilated convolution in torch: ``torch.nn.functional`` behind the course's checks, and an unfold version.

Two implementations with the signature of ``torch.nn.functional.conv1d`` / ``conv2d``, on torch
tensors on any device (CPU, CUDA):

- :func:`conv1d`, :func:`conv2d`: the arguments checked by :func:`dilconv_lib.geometry.conv_geometry`,
  then one call of ``F.conv1d`` / ``F.conv2d`` (oneDNN on CPU, cuDNN on CUDA). The checks cost some
  microseconds a call, a few per cent of the context module's smallest layer.
- :func:`conv1d_unfold`, :func:`conv2d_unfold`: im2col: gather the ``C_in/groups * kH * kW`` pixels
  each output reads into one column (the dilation spreads them; :func:`unfold` builds the matrix
  ``F.unfold`` returns), then one matrix product per group. Slower than ``F.conv2d``, but every step
  can be read and checked, and autograd differentiates it.

The output size is :func:`dilconv_lib.geometry.output_size`; ``padding="same"`` with an even
effective kernel pads one more zero after than before, as torch does. Tensors keep their dtype and
device; gradients flow through both implementations.
"""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from dilconv_lib.checks import IntOrTuple, Padding, check_tensors
from dilconv_lib.geometry import ConvGeometry, conv_geometry
from dilconv_lib.i18n import tr

# On Python 3.13.0 exactly, torch.compile warns on stderr that its guards run slower there (a CPython bug fixed in
# 3.13.1). It says nothing about the course's results, and a learner's notebook would show it as an error-coloured
# output that the stored notebook lacks (nbval fails on it): say it once here, for every notebook that compiles.
warnings.filterwarnings("ignore", message=r"Guards may run slower on Python 3\.13\.0", category=RuntimeWarning)

__all__ = ["conv1d", "conv1d_unfold", "conv2d", "conv2d_unfold", "conv_backend", "unfold"]


def _geometry(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    stride: IntOrTuple,
    padding: Padding,
    dilation: IntOrTuple,
    groups: int,
    n_spatial: int,
) -> ConvGeometry:
    """Check the tensors, then :func:`dilconv_lib.geometry.conv_geometry` on their shapes."""
    check_tensors(input, weight, bias)
    return conv_geometry(
        input.shape,
        weight.shape,
        bias_shape=None if bias is None else bias.shape,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        n_spatial=n_spatial,
    )


def _torch_padding(padding: Padding, g: ConvGeometry) -> str | tuple[int, ...]:
    """What ``F.conv*`` takes: the string itself, or the (symmetric) padding per axis."""
    return padding if isinstance(padding, str) else tuple(before for before, _ in g.padding)


def conv1d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> torch.Tensor:
    """1-D dilated convolution (cross-correlation): the course's checks, then ``F.conv1d``.

    Parameters
    ----------
    input : (N, C_in, L) or (C_in, L), a floating-point tensor
    weight : (C_out, C_in / groups, k), same dtype and device as input
    bias : (C_out,) or None
    stride, dilation : int or 1-tuple, >= 1
    padding : int or 1-tuple >= 0, ``"valid"`` or ``"same"``
    groups : int dividing C_in and C_out

    Returns
    -------
    (N, C_out, L_out) or (C_out, L_out), on input's device in input's dtype, with
    ``L_out = output_size(L, k, stride, padding, dilation)``.

    Examples
    --------
    Taps at offsets 0 and 2 (dilation 2): out[i] = x[i] + x[i + 2], so 5 - 3 + 1 = 3 outputs.

    >>> conv1d(torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]]), torch.ones(1, 1, 2), dilation=2)
    tensor([[4., 6., 8.]])
    """
    g = _geometry(input, weight, bias, stride, padding, dilation, groups, 1)
    return F.conv1d(input, weight, bias, g.stride, _torch_padding(padding, g), g.dilation, g.groups)


def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> torch.Tensor:
    """2-D dilated convolution (cross-correlation): the course's checks, then ``F.conv2d``.

    Parameters
    ----------
    input : (N, C_in, H, W) or (C_in, H, W), a floating-point tensor, any device and memory format
    weight : (C_out, C_in / groups, kH, kW), same dtype and device as input
    bias : (C_out,) or None
    stride, dilation : int or (int, int), >= 1; a tuple sets (rows, columns)
    padding : int or (int, int) >= 0, ``"valid"`` or ``"same"``
    groups : int dividing C_in and C_out

    Returns
    -------
    (N, C_out, H_out, W_out) or (C_out, H_out, W_out), on input's device in input's dtype, with
    ``H_out = output_size(H, kH, stride[0], padding[0], dilation[0])`` and likewise ``W_out``.

    Examples
    --------
    A 2x2 kernel of ones with dilation 2 sums the four corners of each 3x3 window.

    >>> x = torch.arange(16.0).reshape(1, 4, 4)  # (C_in=1, H=4, W=4)
    >>> conv2d(x, torch.ones(1, 1, 2, 2), dilation=2)  # (C_out=1, 4 - 3 + 1, 4 - 3 + 1)
    tensor([[[20., 24.],
             [36., 40.]]])
    >>> conv2d(x, torch.ones(1, 1, 2, 2), dilation=0)
    Traceback (most recent call last):
    ...
    ValueError: dilation must be >= 1, got 0
    """
    g = _geometry(input, weight, bias, stride, padding, dilation, groups, 2)
    return F.conv2d(input, weight, bias, g.stride, _torch_padding(padding, g), g.dilation, g.groups)


def unfold(x: torch.Tensor, g: ConvGeometry) -> torch.Tensor:
    """The im2col matrix of ``x``: the same values as ``F.unfold``, built from a strided view and one copy.

    ``x`` is (N, C, H, W) and ``g`` the geometry :func:`~dilconv_lib.geometry.conv_geometry` returns for a
    call on ``x``; the result is (N, C * kH * kW, H_out * W_out), rows ordered (channel, ki, kj) and
    column ``l`` holding the pixels that output pixel ``l`` reads. ``Tensor.unfold`` twice gives every
    window of the padded input, ``stride`` apart, as a view; slicing each window with step ``dilation``
    keeps the kernel's taps; apart from ``F.pad``'s padded copy, the final ``reshape`` is the only copy.
    Padding each side separately (``F.pad``) also covers ``"same"`` with an even effective kernel,
    which ``F.unfold``'s symmetric ``padding`` cannot express.

    Examples
    --------
    On a 5x5 image, a 2x2 kernel with dilation 2 reads the corners of each 3x3 window.

    >>> x = torch.arange(25.0).reshape(1, 1, 5, 5)  # (N=1, C=1, H=5, W=5)
    >>> g = conv_geometry(x.shape, (1, 1, 2, 2), dilation=2)
    >>> cols = unfold(x, g)  # (1, 1 * 2 * 2, 3 * 3)
    >>> cols[0, :, 0]  # output pixel (0, 0) reads x[0, 0], x[0, 2], x[2, 0], x[2, 2]
    tensor([ 0.,  2., 10., 12.])
    >>> torch.equal(cols, F.unfold(x, (2, 2), dilation=2))
    True
    """
    if tuple(x.shape[2:]) != g.in_size:
        raise ValueError(
            tr(
                "x has spatial shape {shape} but the geometry is for {expected}",
                shape=tuple(x.shape[2:]),
                expected=g.in_size,
            )
        )
    (top, bottom), (left, right) = g.padding
    if top or bottom or left or right:
        x = F.pad(x, (left, right, top, bottom))  # F.pad lists the last axis first
    (kh, kw), (sh, sw), (dh, dw) = g.kernel, g.stride, g.dilation
    # (N, C, H_out, W_out, kH, kW): windows as wide as the dilated kernel, then every d-th pixel of each
    taps = x.unfold(2, dh * (kh - 1) + 1, sh).unfold(3, dw * (kw - 1) + 1, sw)[..., ::dh, ::dw]
    n, c = x.shape[:2]
    return taps.permute(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, taps.shape[2] * taps.shape[3])


def _unfold_matmul(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, g: ConvGeometry) -> torch.Tensor:
    """im2col and one matrix product per group. x: (N, C_in, H, W); returns (N, C_out, H_out, W_out)."""
    cols = unfold(x, g)  # (N, C_in * kH * kW, H_out * W_out)
    n, rows, pixels = x.shape[0], g.c_in_per_group * g.kernel[0] * g.kernel[1], cols.shape[-1]
    cols = cols.view(n, g.groups, rows, pixels)  # a group's channels are consecutive rows
    w = weight.reshape(g.groups, g.c_out_per_group, rows)  # (G, C_out/G, C_in/G * kH * kW)
    out = torch.matmul(w, cols)  # (G, C_out/G, rows) @ (N, G, rows, pixels) -> (N, G, C_out/G, pixels)
    out = out.reshape(n, g.c_out, *g.out_size)
    return out if bias is None else out + bias.view(1, -1, 1, 1)


# The largest unfolded matrix built at once, in bytes. The matrix is kH * kW times the input: built for a
# whole batch it can reach hundreds of megabytes, which the allocator typically maps fresh from the
# operating system on every call and which falls out of the cache before the matmul reads it back.
# A block of a few images is reused from call to call and read while still warm.
UNFOLD_CHUNK_BYTES = 16 * 2**20


def _unfold_in_chunks(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, g: ConvGeometry
) -> torch.Tensor:
    """:func:`_unfold_matmul` on blocks of images whose unfolded matrices fit in ``UNFOLD_CHUNK_BYTES``."""
    per_image = g.c_in * g.kernel[0] * g.kernel[1] * g.out_size[0] * g.out_size[1] * x.element_size()
    chunk = max(1, UNFOLD_CHUNK_BYTES // max(per_image, 1))
    if x.shape[0] <= chunk:
        return _unfold_matmul(x, weight, bias, g)
    return torch.cat([_unfold_matmul(block, weight, bias, g) for block in torch.split(x, chunk)])


def conv2d_unfold(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> torch.Tensor:
    """2-D dilated convolution as im2col: the unfolded input, then one matmul per group.

    :func:`unfold` (the matrix ``F.unfold`` returns) turns the padded input into a matrix of shape
    (N, C_in * kH * kW, H_out * W_out) whose column ``l`` lists the pixels output pixel ``l`` reads:
    the dilated kernel's taps, ``dilation`` apart. Output channel ``co`` of group ``g`` is then the row
    ``weight[co].flatten()`` times the group's rows of that matrix. A large batch is unfolded a few
    images at a time (at most ``UNFOLD_CHUNK_BYTES`` of columns at once); the result is the same.

    Parameters, returns and checks are those of :func:`conv2d`.

    Examples
    --------
    On a 5x5 image, a 2x2 kernel with dilation 2 reads the corners of each 3x3 window: the first
    column of the unfolded matrix is x[0, 0], x[0, 2], x[2, 0], x[2, 2] = 0, 2, 10, 12.

    >>> x = torch.arange(25.0).reshape(1, 1, 5, 5)  # (N=1, C_in=1, H=5, W=5)
    >>> F.unfold(x, (2, 2), dilation=2)[0, :, 0]  # (C_in * 2 * 2,) for output pixel (0, 0)
    tensor([ 0.,  2., 10., 12.])
    >>> conv2d_unfold(x, torch.ones(1, 1, 2, 2), dilation=2)  # 0 + 2 + 10 + 12 = 24, ...; (1, 1, 3, 3)
    tensor([[[[24., 28., 32.],
              [44., 48., 52.],
              [64., 68., 72.]]]])
    """
    g = _geometry(input, weight, bias, stride, padding, dilation, groups, 2)
    out = _unfold_in_chunks(input if g.batched else input.unsqueeze(0), weight, bias, g)
    return out if g.batched else out.squeeze(0)


def conv1d_unfold(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> torch.Tensor:
    """1-D dilated convolution as im2col: :func:`conv2d_unfold` on images one row high.

    Parameters, returns and checks are those of :func:`conv1d`.

    Examples
    --------
    >>> conv1d_unfold(torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]]), torch.ones(1, 1, 2), dilation=2)
    tensor([[4., 6., 8.]])
    """
    g = _geometry(input, weight, bias, stride, padding, dilation, groups, 1)
    x = (input if g.batched else input.unsqueeze(0)).unsqueeze(2)  # (N, C_in, 1, L)
    out = _unfold_in_chunks(x, weight.unsqueeze(2), bias, g.as_2d()).squeeze(2)  # (N, C_out, L_out)
    return out if g.batched else out.squeeze(0)


def conv_backend(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> str:
    """The name of the kernel ``F.conv2d`` runs for this call, as torch itself chooses it.

    torch picks a kernel by device, dtype, layout and shape: on a CPU build, oneDNN (``"Mkldnn"``) for
    most float32 layers, and ``"SlowDilated2d"`` (im2col and a matrix product, like notebook 02's
    strategies) for small dilated ones, among others. This asks ``torch._C._select_conv_backend``, a
    private function: the names are torch's own and may change between versions. Only an int padding (or
    one per axis) is taken here.

    >>> x, w = torch.ones(1, 2, 8, 8), torch.ones(2, 2, 3, 3)
    >>> conv_backend(x, w, padding=2, dilation=2) in {"SlowDilated2d", "Mkldnn", "Empty"}
    True
    """
    g = _geometry(input, weight, bias, stride, padding, dilation, groups, n_spatial=2)
    backend = torch._C._select_conv_backend(  # private: not in torch.nn.functional
        input,
        weight,
        bias,
        g.stride,
        tuple(before for before, _ in g.padding),
        g.dilation,
        False,
        (0, 0),
        g.groups,
        None,
    )
    return str(backend.name)
