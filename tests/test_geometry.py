"""Geometry against torch's own output shapes, the papers' tables and the reference note's pictures."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from dilconv_lib import effective_kernel_size, output_size, receptive_fields, sampling_pattern


def test_output_size_matches_torch_on_a_grid() -> None:
    """size 1..12, kernel 1..4, stride 1..3, padding 0..2, dilation 1..3: 1296 calls, both ways."""
    grid = itertools.product(range(1, 13), range(1, 5), range(1, 4), range(0, 3), range(1, 4))
    for i, k, s, p, d in grid:
        x, w = torch.zeros(1, 1, i), torch.zeros(1, 1, k)
        if effective_kernel_size(k, d) > i + 2 * p:
            with pytest.raises(RuntimeError):  # torch refuses too
                F.conv1d(x, w, stride=s, padding=p, dilation=d)
            with pytest.raises(ValueError, match="kernel_size"):
                output_size(i, k, s, p, d)
        else:
            got, expected = output_size(i, k, s, p, d), F.conv1d(x, w, stride=s, padding=p, dilation=d).shape[-1]
            assert got == expected, f"i={i} k={k} s={s} p={p} d={d}"


@pytest.mark.parametrize("k, d", list(itertools.product(range(1, 6), range(1, 6))))
def test_effective_kernel_size_both_forms(k: int, d: int) -> None:
    assert effective_kernel_size(k, d) == d * (k - 1) + 1 == k + (k - 1) * (d - 1)


CONTEXT_KERNELS, CONTEXT_DILATIONS = [3] * 7 + [1], [1, 1, 2, 4, 8, 16, 1, 1]


def test_context_module_receptive_fields() -> None:
    # Yu & Koltun 2016, Table 1
    assert receptive_fields(CONTEXT_KERNELS, CONTEXT_DILATIONS) == [3, 5, 9, 17, 33, 65, 67, 67]


def test_reference_note_formula_is_the_eq3_stack_not_the_context_module() -> None:
    # The note's 2^(i+2) - 1 counts layers from i = 0 on the stack with dilations 1, 2, 4, ...
    eq3 = receptive_fields([3] * 6, [2**i for i in range(6)])
    assert eq3 == [2 ** (i + 2) - 1 for i in range(6)] == [3, 7, 15, 31, 63, 127]
    context = receptive_fields(CONTEXT_KERNELS[:6], CONTEXT_DILATIONS[:6])
    assert context == [2**layer + 1 for layer in range(1, 7)]
    assert context != eq3


def test_receptive_fields_with_strides() -> None:
    # two 3x3 convs around a stride-2 pooling: the second conv steps 2 input pixels per tap
    assert receptive_fields([3, 2, 3], [1, 1, 1], [1, 2, 1]) == [3, 4, 8]


@st.composite
def stacks(draw: st.DrawFn) -> tuple[list[int], list[int], list[int]]:
    depth = draw(st.integers(1, 4))
    layers = st.integers(1, 3)
    return (
        draw(st.lists(layers, min_size=depth, max_size=depth)),
        draw(st.lists(st.integers(1, 4), min_size=depth, max_size=depth)),
        draw(st.lists(st.integers(1, 2), min_size=depth, max_size=depth)),
    )


@given(stacks())
def test_receptive_field_by_gradient(stack: tuple[list[int], list[int], list[int]]) -> None:
    """The input pixels with a non-zero gradient for one output pixel span exactly the formula's field."""
    ks, ds, ss = stack
    x = torch.ones(1, 1, 400, dtype=torch.float64, requires_grad=True)
    y = x
    for k, d, s in zip(ks, ds, ss):
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
    y[0, 0, 0].backward()
    support = np.flatnonzero(x.grad[0, 0].numpy())
    assert support[-1] - support[0] + 1 == receptive_fields(ks, ds, ss)[-1]


def test_receptive_fields_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="dilations"):
        receptive_fields([3, 3], [1])
    with pytest.raises(ValueError, match="strides"):
        receptive_fields([3, 3], [1, 2], [1])
    with pytest.raises(ValueError, match="dilations"):
        receptive_fields([3], [0])


# The reference note's pictures for d = 1 and d = 2, exactly as drawn there.
NOTE_D1 = "* * *\n* * *\n* * *"
NOTE_D2 = "* . * . *\n. . . . .\n* . * . *\n. . . . .\n* . * . *"


def test_sampling_pattern_reproduces_the_note() -> None:
    assert sampling_pattern(3, 1) == NOTE_D1
    assert sampling_pattern(3, 2) == NOTE_D2


def test_sampling_pattern_d3_is_seven_by_seven() -> None:
    # The note draws d = 3 with five rows; a 3x3 kernel with dilation 3 spans 7x7.
    rows = sampling_pattern(3, 3).split("\n")
    assert len(rows) == 7 and all(len(r.split(" ")) == 7 for r in rows)
    assert rows[0] == "* . . * . . *"  # the note's first row is right
    assert [r.count("*") for r in rows] == [3, 0, 0, 3, 0, 0, 3]


@pytest.mark.parametrize("k, d", [(1, 1), (2, 3), (3, 2), (4, 1), (5, 4)])
def test_sampling_pattern_marks_the_zero_inserted_kernel(k: int, d: int) -> None:
    e = effective_kernel_size(k, d)
    dense = np.zeros((e, e), bool)
    dense[::d, ::d] = True
    drawn = np.array([[c == "*" for c in row.split(" ")] for row in sampling_pattern(k, d).split("\n")])
    np.testing.assert_array_equal(drawn, dense)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: output_size(-1, 3), ValueError, "size"),
        (lambda: output_size(5, 0), ValueError, "kernel_size"),
        (lambda: output_size(5, 3, stride=0), ValueError, "stride"),
        (lambda: output_size(5, 3, padding=-1), ValueError, "padding"),
        (lambda: output_size(5, 3, dilation=0), ValueError, "dilation"),
        (lambda: output_size(5.0, 3), TypeError, "size"),
        (lambda: effective_kernel_size(3, 1.5), TypeError, "dilation"),
        (lambda: sampling_pattern(3, 0), ValueError, "dilation"),
        (lambda: sampling_pattern((3, 3, 3), 1), ValueError, "kernel_size"),
    ],
)
def test_geometry_bad_input(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()
