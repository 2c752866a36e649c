"""The shared tables: the backends, the convolution cases (against torch), the bad calls, a dense reference.

Every implementation of ``conv1d`` / ``conv2d`` is one :class:`Backend` in :data:`BACKENDS`, and every test
that holds for all of them (the case table against torch, float32, the bad calls, the properties on random
calls) runs once on each, through :func:`backend_params`. A backend joins them all by being added there; a
case or a bad call by being added to :data:`CASES` or :data:`BAD_CALLS`. No table is copied elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from numpy.lib.stride_tricks import sliding_window_view

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
    # taps that read nothing but padding: the strategies restrict each tap to where it reads input
    Case("all_rows_in_padding", (1, 1, 1, 1), (1, 1, 2, 1), kwargs=dict(padding=(1, 0), dilation=(2, 1))),
    Case("side_columns_in_padding", (2, 2, 3, 1), (3, 2, 1, 3), kwargs=dict(padding=(0, 4), dilation=(1, 4))),
    Case("only_centre_tap", (1, 2, 2, 2), (2, 2, 3, 3), kwargs=dict(padding=3, dilation=3)),
    Case("conv1d_dilated", (2, 3, 15), (4, 3, 3), kwargs=dict(dilation=4, padding=2)),
    Case("conv1d_strided", (1, 2, 12), (2, 2, 2), kwargs=dict(stride=3, dilation=2)),
    Case("conv1d_same_even", (1, 2, 10), (2, 2, 4), kwargs=dict(padding="same", dilation=3)),
    Case("conv1d_grouped_no_bias", (1, 4, 9), (2, 4 // 2, 3), bias=False, kwargs=dict(groups=2, dilation=2)),
    Case("conv1d_unbatched", (2, 9), (1, 2, 3), kwargs=dict(dilation=(3,), padding=(1,))),
]
CASE_BY_NAME = {c.name: c for c in CASES}


def torch_reference(case: Case, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """What ``torch.nn.functional`` computes for the case, as a NumPy array of the operands' dtype."""
    conv = F.conv1d if case.n_spatial == 1 else F.conv2d
    bias = None if b is None else torch.from_numpy(b)
    return conv(torch.from_numpy(x), torch.from_numpy(w), bias, **case.kwargs).numpy()


# --- backends ---------------------------------------------------------------------------------------

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def as_tensor(arg: Any, device: str) -> Any:
    """A numeric array becomes a tensor of its dtype on ``device``; anything else (None, lists, strings) is kept."""
    if isinstance(arg, np.ndarray) and arg.dtype.kind in "biufc":
        return torch.from_numpy(arg).to(device)
    return arg


@dataclass(frozen=True)
class Backend:
    """One implementation under test, called as the tables call it: NumPy arrays in, a NumPy array out.

    A torch backend (``device`` set) gets every numeric array as a tensor on its device, and must return a
    tensor on that device, which comes back as an array; other arguments (None, lists, strings) reach it as
    they are. A vectorized strategy is 2-D only: its ``conv1d_fn`` is None, and it meets only 2-D cases.
    """

    name: str
    conv2d_fn: Callable[..., Any]
    conv1d_fn: Callable[..., Any] | None = None
    device: str | None = None

    def runs(self, n_spatial: int) -> bool:
        return n_spatial == 2 or self.conv1d_fn is not None

    def conv(self, n_spatial: int) -> Callable[..., np.ndarray]:
        """``conv1d`` or ``conv2d``, seen from NumPy."""
        fn = self.conv2d_fn if n_spatial == 2 else self.conv1d_fn
        assert fn is not None, f"{self.name} has no conv1d"
        if self.device is None:
            return fn

        def call(*args: Any, **kwargs: Any) -> np.ndarray:
            got = fn(*[as_tensor(a, self.device) for a in args], **kwargs)
            assert isinstance(got, torch.Tensor) and got.device.type == self.device, f"{self.name} returned {got!r}"
            return got.cpu().numpy()

        return call


# Every implementation of conv1d / conv2d: the NumPy backends, each vectorized strategy on its own (conv2d only),
# and the torch backends on every device there is.
BACKENDS: list[Backend] = [
    Backend("naive", naive.conv2d, naive.conv1d),
    Backend("vectorized", vectorized.conv2d, vectorized.conv1d),
    *[Backend(name, getattr(vectorized, f"conv2d_{name}")) for name in vectorized.STRATEGIES],
    *[
        backend
        for device in DEVICES
        for backend in (
            Backend(f"accelerated-{device}", accelerated.conv2d, accelerated.conv1d, device),
            Backend(f"unfold-{device}", accelerated.conv2d_unfold, accelerated.conv1d_unfold, device),
        )
    ],
]
NUMPY_BACKENDS = [b for b in BACKENDS if b.device is None]
TORCH_BACKENDS = [b for b in BACKENDS if b.device is not None]


def backend_params(items: Sequence[Case | BadCall]) -> list[Any]:
    """``pytest.param(backend, item)`` for every backend and every case or bad call of a dimension it runs."""
    return [
        pytest.param(b, item, id=f"{b.name}-{item.name}") for b in BACKENDS for item in items if b.runs(item.n_spatial)
    ]


def backend_dimensions() -> list[Any]:
    """``pytest.param(backend, n_spatial)`` for every backend and every dimension it runs (1 and 2, or 2)."""
    return [pytest.param(b, n, id=f"{b.name}-{n}d") for b in BACKENDS for n in (1, 2) if b.runs(n)]


# --- an independent reference: the zero-inserted dense kernel over sliding windows -----------------------


def zero_insert(w: np.ndarray, dilation: Sequence[int]) -> np.ndarray:
    """The dense kernel equal to ``w`` dilated: ``d - 1`` zeros between neighbouring taps, along each axis."""
    kernel = w.shape[2:]
    dense = np.zeros((*w.shape[:2], *[d * (k - 1) + 1 for k, d in zip(kernel, dilation)]), w.dtype)
    dense[(slice(None), slice(None), *[slice(None, None, d) for d in dilation])] = w
    return dense


def dense_reference(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    groups: int,
) -> np.ndarray:
    """A batched 1-D or 2-D dilated convolution written without any backend: zero-padded input, the
    zero-inserted dense kernel over every window (``sliding_window_view``), one ``einsum`` a group."""
    n = w.ndim - 2
    padded = np.pad(x, ((0, 0), (0, 0), *[(p, p) for p in padding]))
    dense = zero_insert(w, dilation)
    axes = tuple(range(2, 2 + n))
    windows = sliding_window_view(padded, dense.shape[2:], axis=axes)  # (N, C, *out, *kernel)
    windows = windows[(slice(None), slice(None), *[slice(None, None, s) for s in stride])]
    letters = "hw"[:n] if n == 2 else "l"
    taps = "ij"[:n]
    spec = f"nc{letters}{taps},oc{taps}->no{letters}"
    xs, ws = np.split(windows, groups, axis=1), np.split(dense, groups, axis=0)
    out = np.concatenate([np.einsum(spec, xg, wg) for xg, wg in zip(xs, ws)], axis=1)
    return out if b is None else out + b.reshape(-1, *[1] * n)


# --- bad calls ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadCall:
    """A call every backend must refuse with ``error``, its message matching ``words`` (naming the argument)."""

    name: str
    conv: str  # "conv1d" or "conv2d"
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    error: type[Exception]
    words: str

    @property
    def n_spatial(self) -> int:
        return 1 if self.conv == "conv1d" else 2


X = np.ones((1, 2, 5, 5))  # (N, C_in, H, W)
W = np.ones((3, 2, 3, 3))  # (C_out, C_in, kH, kW)

BAD_CALLS = [
    BadCall("input_ndim", "conv2d", (np.ones((5, 5)), W), {}, ValueError, "input"),
    BadCall("input_ndim_conv1d", "conv1d", (np.ones((1, 1, 2, 5)), np.ones((1, 1, 3))), {}, ValueError, "input"),
    BadCall("weight_ndim", "conv2d", (X, np.ones((3, 3))), {}, ValueError, "weight"),
    BadCall("channel_mismatch", "conv2d", (np.ones((1, 3, 5, 5)), W), {}, ValueError, "channels"),
    BadCall(
        "groups_not_dividing_input",
        "conv2d",
        (np.ones((1, 3, 5, 5)), np.ones((2, 1, 3, 3))),
        {"groups": 2},
        ValueError,
        "groups",
    ),
    BadCall(
        "groups_not_dividing_output",
        "conv2d",
        (np.ones((1, 4, 5, 5)), np.ones((3, 2, 3, 3))),
        {"groups": 2},
        ValueError,
        "groups",
    ),
    BadCall("groups_zero", "conv2d", (X, W), {"groups": 0}, ValueError, "groups"),
    BadCall("groups_negative", "conv2d", (X, W), {"groups": -1}, ValueError, "groups"),
    BadCall("groups_string", "conv2d", (X, W), {"groups": "2"}, TypeError, "groups"),
    BadCall("stride_zero", "conv2d", (X, W), {"stride": 0}, ValueError, "stride"),
    BadCall("stride_negative_in_tuple", "conv2d", (X, W), {"stride": (1, -2)}, ValueError, "stride"),
    BadCall("stride_not_integer", "conv2d", (X, W), {"stride": 1.5}, TypeError, "stride"),
    BadCall("stride_bool", "conv2d", (X, W), {"stride": True}, TypeError, "stride"),
    BadCall("dilation_zero", "conv2d", (X, W), {"dilation": 0}, ValueError, "dilation"),
    BadCall(
        "dilation_negative",
        "conv1d",
        (np.ones((1, 1, 9)), np.ones((1, 1, 3))),
        {"dilation": -2},
        ValueError,
        "dilation",
    ),
    BadCall("dilation_tuple_length", "conv2d", (X, W), {"dilation": (1, 2, 3)}, ValueError, "dilation"),
    BadCall("dilation_none", "conv2d", (X, W), {"dilation": None}, TypeError, "dilation"),
    BadCall("padding_negative", "conv2d", (X, W), {"padding": -1}, ValueError, "padding"),
    BadCall("padding_tuple_length", "conv2d", (X, W), {"padding": (1,)}, ValueError, "padding"),
    BadCall("padding_unknown_string", "conv2d", (X, W), {"padding": "full"}, ValueError, "padding"),
    BadCall("padding_same_strided", "conv2d", (X, W), {"padding": "same", "stride": 2}, ValueError, "padding"),
    BadCall("kernel_larger_than_padded_input", "conv2d", (X, W), {"dilation": 3}, ValueError, "weight"),
    BadCall(
        "kernel_larger_along_one_axis", "conv2d", (X, W), {"dilation": (1, 3), "padding": (0, 0)}, ValueError, "axis 1"
    ),
    BadCall("bias_wrong_length", "conv2d", (X, W, np.ones(2)), {}, ValueError, "bias"),
    BadCall("bias_non_numeric", "conv2d", (X, W, np.array(["a", "b", "c"])), {}, TypeError, "bias"),
    BadCall("input_none", "conv2d", (None, W), {}, TypeError, "input"),
    BadCall("weight_none", "conv2d", (X, None), {}, TypeError, "weight"),
    BadCall("input_non_numeric", "conv2d", (np.full((1, 2, 5, 5), "x"), W), {}, TypeError, "input"),
    BadCall("input_ragged", "conv1d", ([[1.0, 2.0], [3.0]], np.ones((1, 2, 1))), {}, TypeError, "input"),
    BadCall("input_complex", "conv1d", (np.ones((1, 1, 4), complex), np.ones((1, 1, 2))), {}, TypeError, "input"),
]
