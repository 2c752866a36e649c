"""Argument normalisation and validation, shared by every backend.

Every backend (``naive``, ``vectorized``, ``accelerated``) takes the signature of
``torch.nn.functional.conv1d`` / ``conv2d``. This module turns those arguments into one
:class:`ConvGeometry` and raises a ``ValueError`` or ``TypeError`` that names the
offending argument, so that no backend repeats a check or gives a silent wrong answer.

The output-size formula lives in :func:`dilconv_lib.geometry.output_size`.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

IntOrTuple = int | Sequence[int]
Padding = int | Sequence[int] | str

__all__ = [
    "ConvGeometry",
    "as_float_array",
    "as_float_arrays",
    "check_choice",
    "check_conv_args",
    "check_feature_map",
    "check_int",
    "check_tensors",
    "check_tuple",
]


def check_int(value: Any, name: str, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int``, or raise naming ``name``.

    >>> check_int(3, "stride", minimum=1)
    3
    >>> check_int(0, "stride", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: stride must be >= 1, got 0
    """
    # bool is an int subclass, but stride=True is a bug, not a 1.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_tuple(value: Any, name: str, n: int, minimum: int | None = None) -> tuple[int, ...]:
    """Normalise an int or a length-``n`` sequence of ints to an ``n``-tuple (torch's ``_pair``).

    >>> check_tuple(2, "dilation", 2, minimum=1)
    (2, 2)
    >>> check_tuple((1, 3), "dilation", 2, minimum=1)
    (1, 3)
    >>> check_tuple((1, 2, 3), "dilation", 2)
    Traceback (most recent call last):
    ...
    ValueError: dilation must be an int or a tuple of 2 ints, got (1, 2, 3)
    """
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
        return tuple(check_int(v, f"{name}[{i}]", minimum) for i, v in enumerate(value))
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    return (check_int(value, name, minimum),) * n


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
                raise ValueError(f"padding='same' needs stride 1 (as in torch), got stride={stride}")
            # torch pads total = d*(k-1): half before, the odd one after.
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(f"padding must be an int, a tuple, 'valid' or 'same', got {padding!r}")
    pads = check_tuple(padding, "padding", n, minimum=0)
    return tuple((p, p) for p in pads)


def check_conv_args(
    input_shape: Sequence[int],
    weight_shape: Sequence[int],
    bias_shape: Sequence[int] | None,
    stride: IntOrTuple,
    padding: Padding,
    dilation: IntOrTuple,
    groups: int,
    n_spatial: int,
) -> ConvGeometry:
    """Check the arguments of a ``conv{n_spatial}d`` call and return its :class:`ConvGeometry`.

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

    >>> g = check_conv_args((1, 1, 7, 7), (1, 1, 3, 3), None, 1, 0, 2, 1, 2)
    >>> g.out_size, g.output_shape
    ((3, 3), (1, 1, 3, 3))
    >>> check_conv_args((1, 3, 7, 7), (1, 2, 3, 3), None, 1, 0, 1, 1, 2)
    Traceback (most recent call last):
    ...
    ValueError: weight has 2 input channels per group, but input has 3 channels and groups=1 (expected 3)
    """
    # Imported here because geometry's own functions use check_int from this module.
    from dilconv_lib.geometry import effective_kernel_size, output_size

    name = f"conv{n_spatial}d"
    input_shape, weight_shape = tuple(input_shape), tuple(weight_shape)
    if len(input_shape) not in (n_spatial + 1, n_spatial + 2):
        raise ValueError(
            f"{name}: input must have {n_spatial + 1} (unbatched) or {n_spatial + 2} (batched) "
            f"dimensions, got shape {input_shape}"
        )
    if len(weight_shape) != n_spatial + 2:
        raise ValueError(
            f"{name}: weight must have {n_spatial + 2} dimensions (C_out, C_in/groups, *kernel), "
            f"got shape {weight_shape}"
        )
    batched = len(input_shape) == n_spatial + 2
    n, c_in, *in_size = input_shape if batched else (1, *input_shape)
    c_out, c_in_g, *kernel = weight_shape
    groups = check_int(groups, "groups", minimum=1)
    stride_t = check_tuple(stride, "stride", n_spatial, minimum=1)
    dilation_t = check_tuple(dilation, "dilation", n_spatial, minimum=1)
    if any(k < 1 for k in kernel) or c_out < 1:
        raise ValueError(f"{name}: weight must have non-empty kernel and output channels, got shape {weight_shape}")
    if c_in % groups:
        raise ValueError(f"groups={groups} must divide the input's {c_in} channels")
    if c_out % groups:
        raise ValueError(f"groups={groups} must divide the weight's {c_out} output channels")
    if c_in_g * groups != c_in:
        raise ValueError(
            f"weight has {c_in_g} input channels per group, but input has {c_in} channels "
            f"and groups={groups} (expected {c_in // groups})"
        )
    if bias_shape is not None and tuple(bias_shape) != (c_out,):
        raise ValueError(
            f"bias must have shape ({c_out},) to match the weight's output channels, got {tuple(bias_shape)}"
        )
    pads = _check_padding(padding, tuple(kernel), dilation_t, stride_t)
    out_size = []
    for axis, (i, k, s, d, (p0, p1)) in enumerate(zip(in_size, kernel, stride_t, dilation_t, pads)):
        k_eff = effective_kernel_size(k, d)
        if k_eff > i + p0 + p1:
            raise ValueError(
                f"weight: the dilated kernel spans {k_eff} (k={k}, dilation={d}) along spatial axis "
                f"{axis}, more than the padded input's {i + p0 + p1} (input {i} + padding {p0 + p1})"
            )
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


def as_float_array(value: Any, name: str, dtype: np.dtype | None = None) -> np.ndarray:
    """Convert one operand to a float array (``dtype``, or its own float dtype, or float64), naming it in errors.

    >>> as_float_array([1, 2], "weight").dtype
    dtype('float64')
    >>> as_float_array("abc", "weight")
    Traceback (most recent call last):
    ...
    TypeError: weight must hold real numbers, got dtype <U3
    """
    if value is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as e:  # ragged nested lists
        raise TypeError(f"{name} must be an array of numbers: {e}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if dtype is None:
        # Keep a float dtype (float32 stays float32); integers and bools compute in float64.
        dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    return array.astype(dtype, copy=False)


def as_float_arrays(input: Any, weight: Any, bias: Any | None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Convert the NumPy backends' operands to arrays of the input's float dtype.

    Weight and bias are cast to the input's dtype, so float32 input gives float32 output.
    Integer input is computed in float64; non-numeric data raises ``TypeError``.

    >>> x, w, b = as_float_arrays(np.ones((1, 2), np.float32), [[[1.0]]], None)
    >>> x.dtype, w.dtype, b
    (dtype('float32'), dtype('float32'), None)
    """
    x = as_float_array(input, "input")
    w = as_float_array(weight, "weight", x.dtype)
    b = None if bias is None else as_float_array(bias, "bias", x.dtype)
    return x, w, b


def check_tensors(input: Any, weight: Any, bias: Any | None) -> None:
    """Raise unless input, weight and bias (when given) are floating-point tensors of one dtype and device.

    The torch backend's counterpart of :func:`as_float_arrays`: torch does not cast, so neither do we.

    >>> import torch
    >>> check_tensors(torch.ones(1, 4), torch.ones(1, 1, 2), None)
    >>> check_tensors(torch.ones(1, 4), torch.ones(1, 1, 2, dtype=torch.float64), None)
    Traceback (most recent call last):
    ...
    TypeError: weight has dtype torch.float64 but input has torch.float32: convert one with .to(dtype)
    """
    import torch  # here, so that the NumPy backends never load torch

    operands = [("input", input), ("weight", weight)] + ([] if bias is None else [("bias", bias)])
    for name, value in operands:
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{name} must be a torch.Tensor, got {type(value).__name__} "
                "(torch.from_numpy converts a NumPy array; dilconv_lib.naive takes arrays)"
            )
    if not input.is_floating_point():
        raise TypeError(f"input must hold floating-point numbers, got dtype {input.dtype} (try input.float())")
    for name, value in operands[1:]:
        if value.dtype != input.dtype:
            raise TypeError(f"{name} has dtype {value.dtype} but input has {input.dtype}: convert one with .to(dtype)")
        if value.device != input.device:
            raise ValueError(f"{name} is on {value.device} but input is on {input.device}: move one with .to(device)")


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of the strings ``choices``, or raise naming ``name``.

    >>> check_choice("basic", "variant", ("basic", "large"))
    'basic'
    >>> check_choice("huge", "variant", ("basic", "large"))
    Traceback (most recent call last):
    ...
    ValueError: variant must be one of 'basic', 'large', got 'huge'
    """
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r} ({type(value).__name__})"
        )
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_feature_map(input: Any, channels: int, axes: str = "NCHW") -> None:
    """Raise unless ``input`` is a torch tensor with one axis per letter of ``axes``, ``channels`` along C.

    A module's input: (N, C, H, W) by default, (N, C, L) with ``axes="NCL"``.

    >>> import torch
    >>> check_feature_map(torch.ones(2, 3, 8, 8), 3)
    >>> check_feature_map(torch.ones(3, 8, 8), 3)
    Traceback (most recent call last):
    ...
    ValueError: input must have 4 dimensions (N, C, H, W), got shape (3, 8, 8)
    >>> check_feature_map(torch.ones(2, 4, 16), 3, axes="NCL")
    Traceback (most recent call last):
    ...
    ValueError: input must have 3 channels (dimension 1), got shape (2, 4, 16)
    """
    import torch  # here, so that the NumPy backends never load torch

    shape = f"({', '.join(axes)})"
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"input must be a torch.Tensor of shape {shape}, got {type(input).__name__}")
    if input.ndim != len(axes):
        raise ValueError(f"input must have {len(axes)} dimensions {shape}, got shape {tuple(input.shape)}")
    if input.shape[axes.index("C")] != channels:
        raise ValueError(
            f"input must have {channels} channels (dimension {axes.index('C')}), got shape {tuple(input.shape)}"
        )
