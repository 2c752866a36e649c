"""Bad input raises ValueError or TypeError naming the argument, on every backend: never a wrong answer."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from tests.conftest import BACKENDS

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


@pytest.mark.parametrize("backend", list(BACKENDS.values()), ids=list(BACKENDS))
@pytest.mark.parametrize("conv, args, kwargs, error, words", [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS])
def test_bad_input_names_the_argument(
    backend: ModuleType, conv: str, args: tuple, kwargs: dict, error: type, words: str
) -> None:
    with pytest.raises(error, match=words):
        getattr(backend, conv)(*args, **kwargs)


def test_at_least_fifteen_distinct_bad_calls() -> None:
    assert len({c[0] for c in BAD_CALLS}) == len(BAD_CALLS) >= 15
