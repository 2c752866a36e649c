"""The shared tables every backend is checked on: convolution cases (against torch), bad calls, backends.

Each case is small enough for the naive loops. A backend joins the tables by being added to
``BACKENDS`` (NumPy in, NumPy out) below; the torch backends join the property tests through
:class:`TorchBackend`, which converts arrays to tensors and back. No case is copied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import torch
import torch.nn.functional as F

from dilconv_lib import accelerated, naive, vectorized


@dataclass(frozen=True)
class Case:
    """One call: shapes and keyword arguments of ``conv1d`` / ``conv2d``."""

    name: str
    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    bias: bool = True
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def n_spatial(self) -> int:
        return len(self.weight_shape) - 2

    def operands(self, dtype: type = np.float64, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(self.input_shape).astype(dtype)
        w = rng.standard_normal(self.weight_shape).astype(dtype)
        b = rng.standard_normal(self.weight_shape[0]).astype(dtype) if self.bias else None
        return x, w, b


CASES = [
    Case("plain_3x3", (2, 3, 7, 7), (4, 3, 3, 3)),
    Case("dilated_2", (1, 2, 9, 9), (3, 2, 3, 3), kwargs=dict(dilation=2)),
    Case("dilated_3_padded", (1, 2, 8, 8), (2, 2, 3, 3), kwargs=dict(dilation=3, padding=3)),
    Case("strided", (2, 2, 9, 8), (3, 2, 3, 3), kwargs=dict(stride=2)),
    Case("strided_dilated_padded", (1, 3, 11, 10), (2, 3, 3, 3), kwargs=dict(stride=2, padding=2, dilation=2)),
    Case("padded_tuple", (1, 2, 6, 7), (2, 2, 3, 3), kwargs=dict(padding=(1, 2))),
    Case("valid", (1, 2, 6, 6), (2, 2, 3, 3), kwargs=dict(padding="valid", dilation=2)),
    Case("same_odd", (1, 2, 7, 6), (3, 2, 3, 3), kwargs=dict(padding="same", dilation=2)),
    Case("same_even_kernel", (1, 2, 7, 6), (2, 2, 4, 2), kwargs=dict(padding="same")),
    Case("same_even_kernel_dilated", (1, 1, 9, 8), (2, 1, 2, 4), kwargs=dict(padding="same", dilation=(3, 2))),
    Case("grouped", (2, 4, 7, 7), (6, 2, 3, 3), kwargs=dict(groups=2, dilation=2, padding=1)),
    Case("depthwise", (1, 3, 8, 8), (3, 1, 3, 3), kwargs=dict(groups=3, dilation=2, padding=2)),
    Case("depthwise_multiplier", (1, 2, 7, 7), (4, 1, 3, 3), kwargs=dict(groups=2)),
    Case("non_square", (1, 2, 5, 11), (3, 2, 3, 5), kwargs=dict(dilation=(1, 2))),
    Case("per_axis_dilation", (1, 2, 12, 9), (2, 2, 3, 3), kwargs=dict(dilation=(4, 1), padding=(2, 0))),
    Case("per_axis_stride", (1, 1, 10, 10), (2, 1, 3, 3), kwargs=dict(stride=(1, 3), dilation=(2, 1))),
    Case("kernel_1x1", (2, 3, 4, 5), (2, 3, 1, 1)),
    Case("no_bias", (1, 2, 8, 8), (3, 2, 3, 3), bias=False, kwargs=dict(dilation=2, padding=2)),
    Case("unbatched", (2, 8, 7), (3, 2, 3, 3), kwargs=dict(dilation=2, padding=1)),
    Case("empty_batch", (0, 2, 7, 7), (3, 2, 3, 3), kwargs=dict(dilation=2)),
    Case("kernel_fills_input", (1, 1, 5, 5), (1, 1, 3, 3), kwargs=dict(dilation=2)),
    Case("conv1d_dilated", (2, 3, 15), (4, 3, 3), kwargs=dict(dilation=4, padding=2)),
    Case("conv1d_strided", (1, 2, 12), (2, 2, 2), kwargs=dict(stride=3, dilation=2)),
    Case("conv1d_same_even", (1, 2, 10), (2, 2, 4), kwargs=dict(padding="same", dilation=3)),
    Case("conv1d_grouped_no_bias", (1, 4, 9), (2, 4 // 2, 3), bias=False, kwargs=dict(groups=2, dilation=2)),
    Case("conv1d_unbatched", (2, 9), (1, 2, 3), kwargs=dict(dilation=(3,), padding=(1,))),
]


def torch_reference(case: Case, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """What ``torch.nn.functional`` computes for the case, as a NumPy array of the operands' dtype."""
    conv = F.conv1d if case.n_spatial == 1 else F.conv2d
    bias = None if b is None else torch.from_numpy(b)
    return conv(torch.from_numpy(x), torch.from_numpy(w), bias, **case.kwargs).numpy()


# --- backends ---------------------------------------------------------------------------------------


class Backend(Protocol):
    """What the tables call: ``conv1d`` and ``conv2d`` with torch.nn.functional's signature, on arrays."""

    def conv1d(self, input: Any, weight: Any, bias: Any = None, **kwargs: Any) -> np.ndarray: ...

    def conv2d(self, input: Any, weight: Any, bias: Any = None, **kwargs: Any) -> np.ndarray: ...


@dataclass(frozen=True)
class TorchBackend:
    """A torch implementation seen as a NumPy backend: arrays become CPU tensors, the result an array."""

    conv1d_tensors: Callable[..., torch.Tensor]
    conv2d_tensors: Callable[..., torch.Tensor]

    @staticmethod
    def _call(conv: Callable[..., torch.Tensor], input: Any, weight: Any, bias: Any, kwargs: Any) -> np.ndarray:
        x, w = torch.from_numpy(np.asarray(input)), torch.from_numpy(np.asarray(weight))
        b = None if bias is None else torch.from_numpy(np.asarray(bias))
        return conv(x, w, b, **kwargs).numpy()

    def conv1d(self, input: Any, weight: Any, bias: Any = None, **kwargs: Any) -> np.ndarray:
        return self._call(self.conv1d_tensors, input, weight, bias, kwargs)

    def conv2d(self, input: Any, weight: Any, bias: Any = None, **kwargs: Any) -> np.ndarray:
        return self._call(self.conv2d_tensors, input, weight, bias, kwargs)


# Every NumPy backend with the torch.nn.functional signature; the case table and the bad calls run on each.
BACKENDS: dict[str, Backend] = {"naive": naive, "vectorized": vectorized}

# ... and the torch backends beside them, for the property tests (test_accelerated.py runs the case table
# and the bad calls on tensors, on every device).
ALL_BACKENDS: dict[str, Backend] = BACKENDS | {
    "accelerated": TorchBackend(accelerated.conv1d, accelerated.conv2d),
    "unfold": TorchBackend(accelerated.conv1d_unfold, accelerated.conv2d_unfold),
}


# --- bad calls ---------------------------------------------------------------------------------------

X = np.ones((1, 2, 5, 5))  # (N, C_in, H, W)
W = np.ones((3, 2, 3, 3))  # (C_out, C_in, kH, kW)

# (id, conv name, args, kwargs, exception, words the message must contain)
BAD_CALLS = [
    ("input_ndim", "conv2d", (np.ones((5, 5)), W), {}, ValueError, "input"),
    ("input_ndim_conv1d", "conv1d", (np.ones((1, 1, 2, 5)), np.ones((1, 1, 3))), {}, ValueError, "input"),
    ("weight_ndim", "conv2d", (X, np.ones((3, 3))), {}, ValueError, "weight"),
    ("channel_mismatch", "conv2d", (np.ones((1, 3, 5, 5)), W), {}, ValueError, "channels"),
    (
        "groups_not_dividing_input",
        "conv2d",
        (np.ones((1, 3, 5, 5)), np.ones((2, 1, 3, 3))),
        {"groups": 2},
        ValueError,
        "groups",
    ),
    (
        "groups_not_dividing_output",
        "conv2d",
        (np.ones((1, 4, 5, 5)), np.ones((3, 2, 3, 3))),
        {"groups": 2},
        ValueError,
        "groups",
    ),
    ("groups_zero", "conv2d", (X, W), {"groups": 0}, ValueError, "groups"),
    ("groups_negative", "conv2d", (X, W), {"groups": -1}, ValueError, "groups"),
    ("groups_string", "conv2d", (X, W), {"groups": "2"}, TypeError, "groups"),
    ("stride_zero", "conv2d", (X, W), {"stride": 0}, ValueError, "stride"),
    ("stride_negative_in_tuple", "conv2d", (X, W), {"stride": (1, -2)}, ValueError, "stride"),
    ("stride_not_integer", "conv2d", (X, W), {"stride": 1.5}, TypeError, "stride"),
    ("stride_bool", "conv2d", (X, W), {"stride": True}, TypeError, "stride"),
    ("dilation_zero", "conv2d", (X, W), {"dilation": 0}, ValueError, "dilation"),
    ("dilation_negative", "conv1d", (np.ones((1, 1, 9)), np.ones((1, 1, 3))), {"dilation": -2}, ValueError, "dilation"),
    ("dilation_tuple_length", "conv2d", (X, W), {"dilation": (1, 2, 3)}, ValueError, "dilation"),
    ("dilation_none", "conv2d", (X, W), {"dilation": None}, TypeError, "dilation"),
    ("padding_negative", "conv2d", (X, W), {"padding": -1}, ValueError, "padding"),
    ("padding_tuple_length", "conv2d", (X, W), {"padding": (1,)}, ValueError, "padding"),
    ("padding_unknown_string", "conv2d", (X, W), {"padding": "full"}, ValueError, "padding"),
    ("padding_same_strided", "conv2d", (X, W), {"padding": "same", "stride": 2}, ValueError, "padding"),
    ("kernel_larger_than_padded_input", "conv2d", (X, W), {"dilation": 3}, ValueError, "weight"),
    ("kernel_larger_along_one_axis", "conv2d", (X, W), {"dilation": (1, 3), "padding": (0, 0)}, ValueError, "axis 1"),
    ("bias_wrong_length", "conv2d", (X, W, np.ones(2)), {}, ValueError, "bias"),
    ("bias_non_numeric", "conv2d", (X, W, np.array(["a", "b", "c"])), {}, TypeError, "bias"),
    ("input_none", "conv2d", (None, W), {}, TypeError, "input"),
    ("weight_none", "conv2d", (X, None), {}, TypeError, "weight"),
    ("input_non_numeric", "conv2d", (np.full((1, 2, 5, 5), "x"), W), {}, TypeError, "input"),
    ("input_ragged", "conv1d", ([[1.0, 2.0], [3.0]], np.ones((1, 2, 1))), {}, TypeError, "input"),
    ("input_complex", "conv1d", (np.ones((1, 1, 4), complex), np.ones((1, 1, 2))), {}, TypeError, "input"),
]
