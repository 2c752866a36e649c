"""The shared table of convolution cases every backend is checked on against torch.

Each case is small enough for the naive loops. A later backend joins the table by being added
to ``BACKENDS`` in ``tests/conftest.py``; no case is copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F


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
