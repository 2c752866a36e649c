"""Argument checks shared by the whole library: ints, tuples, choices, arrays and tensors.

Each check returns the normalised value or raises a ``ValueError`` (a wrong value) or a ``TypeError``
(a wrong type) whose message names the offending argument, so that no module repeats a check or gives a
silent wrong answer. Each message is an English template shown through :func:`dilconv_lib.i18n.tr`, so that a
learner reads it in the course's language (``dilconv_lib/locale/zh/checks.yml``); the argument's name, the values
and the code in it stay as they are. This module imports nothing else from the library but :mod:`dilconv_lib.i18n`
(itself a leaf): every other module may use it.
A convolution call's arguments are checked together by :func:`dilconv_lib.geometry.conv_geometry`,
which is built from these checks.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from dilconv_lib.i18n import tr

IntOrTuple = int | Sequence[int]
Padding = int | Sequence[int] | str

__all__ = [
    "as_float_array",
    "as_float_arrays",
    "check_bool",
    "check_choice",
    "check_feature_map",
    "check_int",
    "check_ints",
    "check_real",
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
        raise TypeError(tr("{name} must be an int, got {value!r} ({type})", name=name, value=value, type=_type(value)))
    result = int(value)
    if minimum is not None and result < minimum:
        raise ValueError(tr("{name} must be >= {minimum}, got {value}", name=name, minimum=minimum, value=result))
    return result


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
            raise ValueError(
                tr("{name} must be an int or a tuple of {n} ints, got {value!r}", name=name, n=n, value=value)
            )
        return tuple(check_int(v, f"{name}[{i}]", minimum) for i, v in enumerate(value))
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(tr("{name} must be an int or a tuple of {n} ints, got {value!r}", name=name, n=n, value=value))
    return (check_int(value, name, minimum),) * n


def check_ints(value: Any, name: str, minimum: int | None = None, *, length: int | None = None) -> tuple[int, ...]:
    """A non-empty sequence of ints (a list, a tuple or a 1-D array), one per layer, as a tuple.

    ``length``, when given, is the number of ints it must hold.

    >>> check_ints([1, 2, 4], "dilations", minimum=1)
    (1, 2, 4)
    >>> check_ints([1, 0], "dilations", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: dilations[1] must be >= 1, got 0
    >>> check_ints(4, "dilations")
    Traceback (most recent call last):
    ...
    TypeError: dilations must be a sequence of ints, one per layer, got 4
    >>> check_ints([1, 2], "unit_rates", length=3)
    Traceback (most recent call last):
    ...
    ValueError: unit_rates must hold 3 ints, got [1, 2]
    """
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(tr("{name} must be a sequence of ints, one per layer, got {value!r}", name=name, value=value))
    if len(value) == 0:
        raise ValueError(tr("{name} must name at least one layer, got an empty sequence", name=name))
    if length is not None and len(value) != length:
        raise ValueError(
            tr("{name} must hold {length} ints, got {value!r}", name=name, length=length, value=list(value))
        )
    return tuple(check_int(v, f"{name}[{i}]", minimum) for i, v in enumerate(value))


def check_bool(value: Any, name: str) -> bool:
    """``value`` itself when it is ``True`` or ``False`` (not 0, 1 or another truthy thing), else ``TypeError``.

    >>> check_bool("yes", "cached")
    Traceback (most recent call last):
    ...
    TypeError: cached must be True or False, got 'yes'
    """
    if not isinstance(value, bool):
        raise TypeError(tr("{name} must be True or False, got {value!r}", name=name, value=value))
    return value


def check_real(
    value: Any, name: str, *, minimum: float | None = None, maximum: float | None = None, above: float | None = None
) -> float:
    """Return ``value`` as a ``float``: a real number (not a bool) within the bounds given, or raise naming ``name``.

    ``minimum`` and ``maximum`` are inclusive bounds, ``above`` an exclusive lower bound; NaN is refused.

    >>> check_real(0.5, "mass", above=0, maximum=1)
    0.5
    >>> check_real(0, "lr", above=0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be a number > 0, got 0
    >>> check_real("0.1", "lr", above=0)
    Traceback (most recent call last):
    ...
    TypeError: lr must be a number > 0, got '0.1' (str)
    """
    # The bounds are maths (> 0, <= 1), the same in every language; only the "and" joining them is a word.
    bounds = [f"> {above}"] if above is not None else []
    bounds += [f">= {minimum}"] if minimum is not None else []
    bounds += [f"<= {maximum}"] if maximum is not None else []
    if bounds:
        joined = functools.reduce(lambda first, second: tr("{first} and {second}", first=first, second=second), bounds)
        wanted = tr("{name} must be a number {bounds}", name=name, bounds=joined)
    else:
        wanted = tr("{name} must be a number", name=name)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(tr("{wanted}, got {value!r} ({type})", wanted=wanted, value=value, type=_type(value)))
    x = float(value)
    inside = (above is None or x > above) and (minimum is None or x >= minimum) and (maximum is None or x <= maximum)
    if not inside:  # NaN compares false with every bound, so it lands here too (or fails x == x below)
        raise ValueError(tr("{wanted}, got {value!r}", wanted=wanted, value=value))
    if x != x:
        raise ValueError(tr("{wanted}, got nan", wanted=wanted))
    return x


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
        raise TypeError(tr("{name} must be an array of numbers, got None", name=name))
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as e:  # ragged nested lists
        # NumPy's own words stay NumPy's: the Chinese quotes them.
        raise TypeError(tr("{name} must be an array of numbers: {error}", name=name, error=e)) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(tr("{name} must hold real numbers, got dtype {dtype}", name=name, dtype=array.dtype))
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
                tr(
                    "{name} must be a torch.Tensor, got {type} "
                    "(torch.from_numpy converts a NumPy array; dilconv_lib.naive takes arrays)",
                    name=name,
                    type=_type(value),
                )
            )
    if not input.is_floating_point():
        raise TypeError(
            tr("input must hold floating-point numbers, got dtype {dtype} (try input.float())", dtype=input.dtype)
        )
    for name, value in operands[1:]:
        if value.dtype != input.dtype:
            raise TypeError(
                tr(
                    "{name} has dtype {dtype} but input has {input_dtype}: convert one with .to(dtype)",
                    name=name,
                    dtype=value.dtype,
                    input_dtype=input.dtype,
                )
            )
        if value.device != input.device:
            raise ValueError(
                tr(
                    "{name} is on {device} but input is on {input_device}: move one with .to(device)",
                    name=name,
                    device=value.device,
                    input_device=input.device,
                )
            )


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of the strings ``choices``, or raise naming ``name``.

    >>> check_choice("basic", "variant", ("basic", "large"))
    'basic'
    >>> check_choice("huge", "variant", ("basic", "large"))
    Traceback (most recent call last):
    ...
    ValueError: variant must be one of 'basic', 'large', got 'huge'
    """
    listed = ", ".join(map(repr, choices))  # code, the same in every language
    if not isinstance(value, str):
        raise TypeError(
            tr(
                "{name} must be one of {choices}, got {value!r} ({type})",
                name=name,
                choices=listed,
                value=value,
                type=_type(value),
            )
        )
    if value not in choices:
        raise ValueError(tr("{name} must be one of {choices}, got {value!r}", name=name, choices=listed, value=value))
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
        raise TypeError(tr("input must be a torch.Tensor of shape {shape}, got {type}", shape=shape, type=_type(input)))
    if input.ndim != len(axes):
        raise ValueError(
            tr(
                "input must have {ndim} dimensions {shape}, got shape {got}",
                ndim=len(axes),
                shape=shape,
                got=tuple(input.shape),
            )
        )
    if input.shape[axes.index("C")] != channels:
        raise ValueError(
            tr(
                "input must have {channels} channels (dimension {axis}), got shape {got}",
                channels=channels,
                axis=axes.index("C"),
                got=tuple(input.shape),
            )
        )


def _type(value: Any) -> str:
    """The name of ``value``'s type, as the messages show it: ``ndarray``, ``str``."""
    return type(value).__name__
