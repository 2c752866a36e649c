"""The geometry of dilated convolution: output size, effective kernel, receptive field, sampling pattern.

Each formula lives here once; docstrings elsewhere refer to these functions. The sources:
Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016), and PyTorch's
``nn.Conv2d`` documentation (output size); Yu & Koltun, ICLR 2016 (receptive fields).

Dilation counts the step between taps, as PyTorch, TensorFlow and Caffe do: ``dilation=1`` is an
ordinary convolution. (CS231n and numpy-ml count the inserted gaps instead, so their 0 is our 1.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dilconv_lib.checks import IntOrTuple, Padding, as_float_arrays, check_int, check_tuple
from dilconv_lib.i18n import tr

__all__ = [
    "ConvGeometry",
    "checked_arrays",
    "conv_geometry",
    "effective_kernel_size",
    "output_size",
    "receptive_fields",
    "sampling_pattern",
]


def effective_kernel_size(kernel_size: int, dilation: int) -> int:
    """Extent of a dilated kernel: ``d * (k - 1) + 1``, the same as ``k + (k - 1)(d - 1)``.

    A kernel of ``k`` taps, ``d`` apart, spans ``k - 1`` gaps of ``d`` pixels plus the last tap.

    >>> effective_kernel_size(3, 1)  # ordinary 3-tap kernel
    3
    >>> effective_kernel_size(3, 2)  # * . * . *
    5
    >>> effective_kernel_size(3, 3)  # * . . * . . *
    7
    """
    k = check_int(kernel_size, "kernel_size", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    return d * (k - 1) + 1


def output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length along one axis: ``floor((i + 2p - d(k - 1) - 1) / s) + 1``.

    Parameters
    ----------
    size : input length ``i`` (>= 0)
    kernel_size : taps ``k`` (>= 1)
    stride : step ``s`` between output positions (>= 1)
    padding : zeros ``p`` added on each side (>= 0)
    dilation : step ``d`` between taps (>= 1)

    Raises ``ValueError`` when the dilated kernel does not fit in the padded input.

    Examples
    --------
    >>> output_size(7, 3, dilation=2)  # 7 - 5 + 1
    3
    >>> output_size(64, 3, padding=16, dilation=16)  # "same" size for the context module
    64
    >>> output_size(10, 3, stride=2, padding=1)  # floor((10 + 2 - 2 - 1) / 2) + 1
    5
    """
    i = check_int(size, "size", minimum=0)
    p = check_int(padding, "padding", minimum=0)
    s = check_int(stride, "stride", minimum=1)
    k_eff = effective_kernel_size(kernel_size, dilation)
    _check_fits(k_eff, i, 2 * p, "kernel_size")
    return (i + 2 * p - k_eff) // s + 1


def _check_fits(
    k_eff: int, size: int, total_padding: int, name: str, where: tuple[int, int, int] | None = None
) -> None:
    """Raise naming ``name`` when a kernel spanning ``k_eff`` does not fit in the padded input.

    ``where``, when given, is the (k, dilation, spatial axis) the kernel came from, which the message names.
    """
    if k_eff <= size + total_padding:
        return
    # One whole sentence a case, so that a translation may order its words freely.
    if where is None:
        message = tr(
            "{name}: the dilated kernel spans {k_eff}, more than the padded input's {padded} "
            "(input {size} + padding {padding})",
            name=name,
            k_eff=k_eff,
            padded=size + total_padding,
            size=size,
            padding=total_padding,
        )
    else:
        k, dilation, axis = where
        message = tr(
            "{name}: the dilated kernel spans {k_eff} (k={k}, dilation={dilation}) along spatial axis {axis}, "
            "more than the padded input's {padded} (input {size} + padding {padding})",
            name=name,
            k_eff=k_eff,
            k=k,
            dilation=dilation,
            axis=axis,
            padded=size + total_padding,
            size=size,
            padding=total_padding,
        )
    raise ValueError(message)


def receptive_fields(
    kernel_sizes: Sequence[int],
    dilations: Sequence[int],
    strides: Sequence[int] | None = None,
) -> list[int]:
    """The 1-D receptive field after each layer of a stack: ``1 + sum_l (k_l - 1) d_l prod_{j<l} s_j``.

    Each layer widens the field by ``(k - 1) * d`` steps of its input grid, and one step of that
    grid is the product of the strides below it (the "jump").

    Parameters
    ----------
    kernel_sizes, dilations : one int per layer
    strides : one int per layer; ``None`` means all 1

    Examples
    --------
    Yu & Koltun's context module (Table 1): 3x3 layers with dilations 1, 1, 2, 4, 8, 16, 1, then a 1x1.

    >>> receptive_fields([3] * 7 + [1], [1, 1, 2, 4, 8, 16, 1, 1])
    [3, 5, 9, 17, 33, 65, 67, 67]

    Their Eq. 3 stack doubles the dilation from the first layer: 2^(l+1) - 1.

    >>> receptive_fields([3] * 4, [1, 2, 4, 8])
    [3, 7, 15, 31]
    >>> receptive_fields([3, 2, 3], [1, 1, 1], strides=[1, 2, 1])  # a pooling layer doubles the jump
    [3, 4, 8]
    """
    ks, ds = list(kernel_sizes), list(dilations)
    ss = [1] * len(ks) if strides is None else list(strides)
    for name, values in (("dilations", ds), ("strides", ss)):
        if len(values) != len(ks):
            raise ValueError(
                tr(
                    "{name} must have one entry per layer ({layers}), got {got}",
                    name=name,
                    layers=len(ks),
                    got=len(values),
                )
            )
    fields, rf, jump = [], 1, 1
    for layer, (k, d, s) in enumerate(zip(ks, ds, ss)):
        k = check_int(k, f"kernel_sizes[{layer}]", minimum=1)
        d = check_int(d, f"dilations[{layer}]", minimum=1)
        s = check_int(s, f"strides[{layer}]", minimum=1)
        rf += (k - 1) * d * jump
        jump *= s
        fields.append(rf)
    return fields


def sampling_pattern(kernel_size: int | tuple[int, int], dilation: int | tuple[int, int]) -> str:
    """The input positions a 2-D dilated kernel reads, drawn as in the reference note.

    Rows are joined by newlines and cells by one space; ``*`` is a sampled pixel, ``.`` a skipped
    one. The drawing is ``effective_kernel_size(k, d)`` cells on a side.

    Examples
    --------
    >>> print(sampling_pattern(3, 1))
    * * *
    * * *
    * * *
    >>> print(sampling_pattern(3, 2))  # 3x3 taps spread over 5x5
    * . * . *
    . . . . .
    * . * . *
    . . . . .
    * . * . *
    >>> print(sampling_pattern(2, (1, 3)))  # per-axis dilation: rows 1 apart, columns 3 apart
    * . . *
    * . . *
    """
    k = check_tuple(kernel_size, "kernel_size", 2, minimum=1)
    d = check_tuple(dilation, "dilation", 2, minimum=1)
    height, width = (effective_kernel_size(k_, d_) for k_, d_ in zip(k, d))
    rows = []
    for r in range(height):
        cells = ["*" if r % d[0] == 0 and c % d[1] == 0 else "." for c in range(width)]
        rows.append(" ".join(cells))
    return "\n".join(rows)


# --- one convolution call, checked: what every backend starts from ---------------------------------


@dataclass(frozen=True)
class ConvGeometry:
    """Everything a backend needs to know about one convolution call, already checked.

    Shapes are in torch's layout: input (N, C_in, *in_size), weight
    (C_out, C_in / groups, *kernel), output (N, C_out, *out_size).
    ``padding`` holds (before, after) per spatial axis, so that ``"same"`` with an even
    effective kernel pads one more zero after than before, exactly as torch does.
    """

    batched: bool
    n: int
    c_in: int
    c_out: int
    groups: int
    in_size: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    out_size: tuple[int, ...]

    @property
    def c_in_per_group(self) -> int:
        return self.c_in // self.groups

    @property
    def c_out_per_group(self) -> int:
        return self.c_out // self.groups

    @property
    def output_shape(self) -> tuple[int, ...]:
        """The output's shape, without the batch axis when the input had none."""
        shape = (self.c_out, *self.out_size)
        return (self.n, *shape) if self.batched else shape

    def as_2d(self) -> ConvGeometry:
        """The same 1-D call as a 2-D one: a unit axis in front of the length, never padded or skipped.

        This is how the 2-D code computes a 1-D convolution: input (N, C_in, 1, L), weight
        (C_out, C_in / groups, 1, k).

        >>> g = conv_geometry((2, 3, 15), (4, 3, 3), dilation=4, padding=2, n_spatial=1).as_2d()
        >>> g.in_size, g.kernel, g.dilation, g.padding, g.out_size  # L_out = 15 + 2 * 2 - (4 * 2 + 1) + 1
        ((1, 15), (1, 3), (1, 4), ((0, 0), (2, 2)), (1, 11))
        """
        if len(self.in_size) != 1:
            raise ValueError(
                tr("as_2d needs the geometry of a 1-D call, got {axes} spatial axes", axes=len(self.in_size))
            )
        return dataclasses.replace(
            self,
            in_size=(1, *self.in_size),
            kernel=(1, *self.kernel),
            stride=(1, *self.stride),
            dilation=(1, *self.dilation),
            padding=((0, 0), *self.padding),
            out_size=(1, *self.out_size),
        )


def _check_padding(
    padding: Padding,
    kernel: tuple[int, ...],
    dilation: tuple[int, ...],
    stride: tuple[int, ...],
) -> tuple[tuple[int, int], ...]:
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(tr("padding='same' needs stride 1 (as in torch), got stride={stride}", stride=stride))
            # torch pads total = d*(k-1): half before, the odd one after.
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(tr("padding must be an int, a tuple, 'valid' or 'same', got {value!r}", value=padding))
    pads = check_tuple(padding, "padding", n, minimum=0)
    return tuple((p, p) for p in pads)


def conv_geometry(
    input_shape: Sequence[int],
    weight_shape: Sequence[int],
    *,
    bias_shape: Sequence[int] | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    n_spatial: int = 2,
) -> ConvGeometry:
    """Check the arguments of a ``conv{n_spatial}d`` call and return its :class:`ConvGeometry`.

    The one place where a call's arguments are normalised (torch's ``_pair``) and checked: every backend,
    the backward pass and the benchmark start here. The options are keyword-only, named as in
    ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    input_shape : (N, C_in, *spatial) or (C_in, *spatial)
    weight_shape : (C_out, C_in / groups, *kernel)
    bias_shape : (C_out,) or None
    stride, dilation : int or tuple of ``n_spatial`` ints, each >= 1
    padding : int, tuple of ``n_spatial`` ints >= 0, ``"valid"`` or ``"same"``
    groups : int >= 1 dividing both C_in and C_out
    n_spatial : 1 for conv1d, 2 for conv2d

    Examples
    --------
    A 3x3 kernel with dilation 2 on a 7x7 image: effective kernel 5, so 7 - 5 + 1 = 3.

    >>> g = conv_geometry((1, 1, 7, 7), (1, 1, 3, 3), dilation=2)  # (N, C_in, H, W), (C_out, C_in, kH, kW)
    >>> g.out_size, g.output_shape
    ((3, 3), (1, 1, 3, 3))
    >>> conv_geometry((1, 3, 7, 7), (1, 2, 3, 3))
    Traceback (most recent call last):
    ...
    ValueError: weight has 2 input channels per group, but input has 3 channels and groups=1 (expected 3)
    """
    name = f"conv{n_spatial}d"
    input_shape, weight_shape = tuple(input_shape), tuple(weight_shape)
    if len(input_shape) not in (n_spatial + 1, n_spatial + 2):
        raise ValueError(
            tr(
                "{name}: input must have {unbatched} (unbatched) or {batched} (batched) dimensions, got shape {shape}",
                name=name,
                unbatched=n_spatial + 1,
                batched=n_spatial + 2,
                shape=input_shape,
            )
        )
    if len(weight_shape) != n_spatial + 2:
        raise ValueError(
            tr(
                "{name}: weight must have {ndim} dimensions (C_out, C_in/groups, *kernel), got shape {shape}",
                name=name,
                ndim=n_spatial + 2,
                shape=weight_shape,
            )
        )
    batched = len(input_shape) == n_spatial + 2
    n, c_in, *in_size = input_shape if batched else (1, *input_shape)
    c_out, c_in_g, *kernel = weight_shape
    groups = check_int(groups, "groups", minimum=1)
    stride_t = check_tuple(stride, "stride", n_spatial, minimum=1)
    dilation_t = check_tuple(dilation, "dilation", n_spatial, minimum=1)
    if any(k < 1 for k in kernel) or c_out < 1:
        raise ValueError(
            tr(
                "{name}: weight must have non-empty kernel and output channels, got shape {shape}",
                name=name,
                shape=weight_shape,
            )
        )
    if c_in % groups:
        raise ValueError(
            tr("groups={groups} must divide the input's {channels} channels", groups=groups, channels=c_in)
        )
    if c_out % groups:
        raise ValueError(
            tr("groups={groups} must divide the weight's {channels} output channels", groups=groups, channels=c_out)
        )
    if c_in_g * groups != c_in:
        raise ValueError(
            tr(
                "weight has {per_group} input channels per group, but input has {channels} channels "
                "and groups={groups} (expected {expected})",
                per_group=c_in_g,
                channels=c_in,
                groups=groups,
                expected=c_in // groups,
            )
        )
    if bias_shape is not None and tuple(bias_shape) != (c_out,):
        raise ValueError(
            tr(
                "bias must have shape ({channels},) to match the weight's output channels, got {shape}",
                channels=c_out,
                shape=tuple(bias_shape),
            )
        )
    pads = _check_padding(padding, tuple(kernel), dilation_t, stride_t)
    out_size = []
    for axis, (i, k, s, d, (p0, p1)) in enumerate(zip(in_size, kernel, stride_t, dilation_t, pads)):
        _check_fits(effective_kernel_size(k, d), i, p0 + p1, "weight", (k, d, axis))
        # output_size takes symmetric padding; (p0 + p1) covers the asymmetric "same" case.
        out_size.append(output_size(i + p0 + p1, k, stride=s, padding=0, dilation=d))
    return ConvGeometry(
        batched=batched,
        n=n,
        c_in=c_in,
        c_out=c_out,
        groups=groups,
        in_size=tuple(in_size),
        kernel=tuple(kernel),
        stride=stride_t,
        dilation=dilation_t,
        padding=pads,
        out_size=tuple(out_size),
    )


def checked_arrays(
    input: Any,
    weight: Any,
    bias: Any | None = None,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    n_spatial: int = 2,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, ConvGeometry]:
    """The NumPy backends' first step: operands as float arrays of the input's dtype, and the call's geometry.

    :func:`dilconv_lib.checks.as_float_arrays` on the operands, then :func:`conv_geometry` on their shapes.

    >>> x, w, b, g = checked_arrays([[1.0, 2.0, 3.0, 4.0, 5.0]], [[[1.0, 1.0]]], dilation=2, n_spatial=1)
    >>> x.shape, g.out_size  # (C_in, L) unbatched; L_out = 5 - (2 * 1 + 1) + 1
    ((1, 5), (3,))
    """
    x, w, b = as_float_arrays(input, weight, bias)
    g = conv_geometry(
        x.shape,
        w.shape,
        bias_shape=None if b is None else b.shape,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        n_spatial=n_spatial,
    )
    return x, w, b, g
