"""Receptive fields, holes and the HDC rule against brute force written here, independently.

The brute force enumerates reachable offsets: one output pixel of a stack reads the input at every
sum of one tap offset per layer, ``t * d_l * J_l`` with ``t = 0 .. k_l - 1`` and ``J_l`` the product
of the strides below layer ``l``. Both axes behave alike, so the 2-D offsets are pairs of 1-D ones.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from dilconv_lib import receptive_fields
from dilconv_lib.receptive import (
    conv_stack,
    count_holes,
    effective_receptive_field,
    erf_size,
    exact_rule_break,
    hdc_max_distances,
    hole_map,
    impulse_response,
    input_gradient,
    is_gridding_free,
    reached_offsets,
    receptive_field_by_gradient,
    satisfies_exact_rule,
    satisfies_hdc,
    satisfies_hdc_paper,
    shares_common_factor,
    widest_gap,
)

CONTEXT_KERNELS, CONTEXT_DILATIONS = [3] * 7 + [1], [1, 1, 2, 4, 8, 16, 1, 1]


def tap_offsets(kernels: list[int], dilations: list[int], strides: list[int]) -> list[np.ndarray]:
    """Per layer, the 1-D input offsets of its taps."""
    jumps = np.cumprod([1, *strides[:-1]])
    return [np.arange(k) * d * j for k, d, j in zip(kernels, dilations, jumps)]


def reachable_1d(kernels: list[int], dilations: list[int], strides: list[int]) -> np.ndarray:
    """Sorted distinct 1-D offsets one output pixel reads: a sum of one tap offset per layer."""
    reach = np.array([0])
    for taps in tap_offsets(kernels, dilations, strides):
        reach = np.unique(np.add.outer(reach, taps))
    return reach


def path_counts_2d(kernels: list[int], dilations: list[int], strides: list[int]) -> Counter:
    """How many choices of one 2-D tap per layer land on each 2-D offset (small stacks only)."""
    taps_2d = [list(itertools.product(t, t)) for t in tap_offsets(kernels, dilations, strides)]
    return Counter((sum(a for a, _ in choice), sum(b for _, b in choice)) for choice in itertools.product(*taps_2d))


@st.composite
def stacks(draw: st.DrawFn, max_depth: int = 4, max_dilation: int = 5) -> tuple[list[int], list[int], list[int]]:
    depth = draw(st.integers(1, max_depth))
    layer = st.lists(st.integers(1, 4), min_size=depth, max_size=depth)
    kernels = draw(layer)
    dilations = draw(st.lists(st.integers(1, max_dilation), min_size=depth, max_size=depth))
    strides = draw(st.lists(st.integers(1, 2), min_size=depth, max_size=depth))
    return kernels, dilations, strides


@given(stacks())
def test_hole_map_is_the_set_of_reachable_offsets(stack: tuple[list[int], list[int], list[int]]) -> None:
    kernels, dilations, strides = stack
    reach = reachable_1d(kernels, dilations, strides)
    field = int(reach[-1] - reach[0] + 1)
    assert field == receptive_fields(kernels, dilations, strides)[-1]
    seen_1d = np.zeros(field, bool)
    seen_1d[reach - reach[0]] = True
    seen = hole_map(dilations, kernels, strides)
    np.testing.assert_array_equal(seen, np.outer(seen_1d, seen_1d))
    assert count_holes(dilations, kernels, strides) == field**2 - reach.size**2
    assert is_gridding_free(dilations, kernels, strides) == (reach.size == field)


@given(stacks(max_depth=3, max_dilation=3))
def test_impulse_response_counts_paths(stack: tuple[list[int], list[int], list[int]]) -> None:
    kernels, dilations, strides = stack
    counts = impulse_response(dilations, kernels, strides)
    expected = np.zeros_like(counts)
    for (a, b), n in path_counts_2d(kernels, dilations, strides).items():
        expected[a, b] = n
    np.testing.assert_array_equal(counts, expected)
    assert counts.dtype == np.int64 and counts.sum() == np.prod([k * k for k in kernels])


@given(stacks(max_depth=4, max_dilation=4).filter(lambda s: all(k % 2 for k in s[0])))
def test_impulse_response_is_the_gradient_of_an_all_ones_stack(stack: tuple[list[int], list[int], list[int]]) -> None:
    """Stride 1, odd kernels: torch's input gradient through a ones-initialised stack, cropped to the field."""
    kernels, dilations, _ = stack
    counts = impulse_response(dilations, kernels)
    field = counts.shape[0]
    size = field + 4
    model = conv_stack(dilations, kernels, init="ones", dtype=torch.float64)
    grad = input_gradient(model, torch.ones(1, 1, size, size, dtype=torch.float64))[0, 0]
    start = size // 2 - field // 2
    crop = grad[start : start + field, start : start + field]
    np.testing.assert_array_equal(crop, counts)
    assert grad.sum() == counts.sum()  # nothing outside the field


@given(stacks(max_depth=4, max_dilation=4).filter(lambda s: all(k % 2 for k in s[0])))
def test_receptive_field_by_gradient_matches_the_formula(stack: tuple[list[int], list[int], list[int]]) -> None:
    kernels, dilations, _ = stack
    field = receptive_fields(kernels, dilations)[-1]
    model = conv_stack(dilations, kernels, channels=2, init="ones")
    assert receptive_field_by_gradient(model, field + 6, channels=2) == (field, field)


def test_context_module_field_by_gradient_layer_by_layer() -> None:
    model = conv_stack(CONTEXT_DILATIONS, CONTEXT_KERNELS, init="ones", dtype=torch.float64)
    measured = [receptive_field_by_gradient(model[: 2 * layer + 1], 80)[0] for layer in range(8)]
    assert measured == receptive_fields(CONTEXT_KERNELS, CONTEXT_DILATIONS) == [3, 5, 9, 17, 33, 65, 67, 67]


def test_receptive_field_by_gradient_clips_to_the_image_and_reports_none() -> None:
    assert receptive_field_by_gradient(conv_stack([1, 2, 4], init="ones"), 9) == (9, 9)  # 15 > 9
    dead = conv_stack([1, 1], init="ones")
    with torch.no_grad():
        dead[0].bias.fill_(-100.0)  # every ReLU off: no gradient reaches the input
    assert receptive_field_by_gradient(dead, 9) == (0, 0)


# Wang et al. 2018: "[1, 2, 5]" gives M_2 = 2 <= 3; "[1, 2, 9]" gives M_2 = 5 > 3.
def test_hdc_paper_examples() -> None:
    assert hdc_max_distances([1, 2, 5])[1] == 2
    assert hdc_max_distances([1, 2, 9])[1] == 5
    assert satisfies_hdc([1, 2, 5], 3) and is_gridding_free([1, 2, 5])
    assert not satisfies_hdc([1, 2, 9], 3) and not is_gridding_free([1, 2, 9])
    assert count_holes([1, 2, 9]) == 25 * 25 - 21 * 21


def test_hdc_recursion_by_hand() -> None:
    # M_3 = 9; M_2 = max(9 - 4, 9 - 2 * 7, 2) = 5; M_1 = max(5 - 2, 5 - 2 * 4, 1) = 3
    assert hdc_max_distances([1, 2, 9]) == [3, 5, 9]
    assert hdc_max_distances([7]) == [7]


def test_hdc_rule_assumes_r1_is_one() -> None:
    """[2, 2, 2] passes the rule but reads only even offsets: 7 x 7 of its 13 x 13 field."""
    assert hdc_max_distances([2, 2, 2]) == [2, 2, 2]
    assert satisfies_hdc([2, 2, 2])
    assert count_holes([2, 2, 2]) == 13 * 13 - 7 * 7
    assert not is_gridding_free([2, 2, 2])
    assert satisfies_hdc([1, 2, 2, 2]) and is_gridding_free([1, 2, 2, 2])  # a dense first layer fills them


def test_context_module_has_no_holes_and_passes_the_rule() -> None:
    assert count_holes(CONTEXT_DILATIONS, CONTEXT_KERNELS) == 0
    assert satisfies_hdc(CONTEXT_DILATIONS[:7])  # the seven 3x3 layers
    assert hdc_max_distances(CONTEXT_DILATIONS[:7])[1] == 1


@given(st.lists(st.integers(1, 40), min_size=1, max_size=6))
def test_hdc_rule_is_exact_for_sorted_rates_starting_at_one(rates: list[int]) -> None:
    """3x3 kernels, r_1 = 1, rates non-decreasing: the rule's verdict is the hole count's."""
    group = [1, *sorted(rates)]
    assert satisfies_hdc(group, 3) == is_gridding_free(group, 3)


@given(st.lists(st.integers(2, 12), min_size=2, max_size=5))
def test_without_a_rate_one_layer_3x3_stacks_always_have_holes(rates: list[int]) -> None:
    """The widest offset, the sum of all rates, is reached one way only; one step in, nothing lands."""
    assert count_holes(rates, 3) > 0


@given(st.lists(st.integers(1, 9), min_size=1, max_size=4))
def test_reached_offsets_are_the_hole_maps_centre_row(rates: list[int]) -> None:
    """Centred 3-tap offsets: the support of the impulse response's middle row, shifted to centre 0."""
    offsets = reached_offsets(rates)
    r = receptive_fields([3] * len(rates), rates)[-1]
    row = hole_map(rates)[r // 2]
    assert offsets == [int(i) - r // 2 for i in np.nonzero(row)[0]]
    assert offsets == [-o for o in reversed(offsets)]


@given(st.lists(st.integers(1, 12), min_size=1, max_size=4))
def test_max_distance_is_the_widest_gap_for_non_decreasing_rates(rates: list[int]) -> None:
    """Wang et al.'s reading of M_i: the widest gap that layers i .. n leave, exact for rising rates."""
    group = sorted(rates)
    m = hdc_max_distances(group)
    assert m == [widest_gap(group[i:]) for i in range(len(group))]


def test_max_distance_overshoots_the_gap_when_a_rate_falls() -> None:
    m = hdc_max_distances(CONTEXT_DILATIONS[:7])
    assert m[5] == 31 and widest_gap(CONTEXT_DILATIONS[5:7]) == 14
    rising = CONTEXT_DILATIONS[:6]
    assert hdc_max_distances(rising) == [widest_gap(rising[i:]) for i in range(6)] == [1, 1, 2, 4, 8, 16]


def test_the_papers_two_conditions_and_their_counter_examples() -> None:
    assert shares_common_factor([2, 2, 2]) and shares_common_factor([2, 4, 8]) and not shares_common_factor([1, 2, 4])
    assert not satisfies_hdc_paper([2, 2, 2]) and satisfies_hdc([2, 2, 2])
    for rates, holes in [([2, 3], 40), ([2, 3, 5], 80)]:
        assert satisfies_hdc_paper(rates) and count_holes(rates) == holes and not satisfies_exact_rule(rates)


@functools.cache
def hole_free_groups(k: int) -> dict[tuple[int, ...], bool]:
    """Every ordered group of 2-4 layers of k-tap layers, rates 1-8, and whether it has no holes (brute force).

    The ground truth is ``is_gridding_free`` (2-D impulse propagation), except for four 7-tap layers, where
    the 2-D maps take seconds: there the 1-D offsets of ``reachable_1d`` (written here, independently) are
    gap-free or not, which decides the 2-D map too (it is their square).
    """
    truth = {}
    for layers in (2, 3, 4):
        for group in itertools.product(range(1, 9), repeat=layers):
            if k == 7 and layers == 4:
                reach = reachable_1d([k] * layers, list(group), [1] * layers)
                truth[group] = len(reach) == reach[-1] - reach[0] + 1
            else:
                truth[group] = is_gridding_free(list(group), k)
    return truth


def disagreements(rule, k: int) -> list[tuple[int, ...]]:
    return [group for group, free in hole_free_groups(k).items() if rule(list(group), k) != free]


@pytest.mark.parametrize("k", [3, 5, 7])
def test_exact_rule_is_the_brute_force_on_every_ordered_group(k: int) -> None:
    """Sorted, each rate <= (k - 1) * (sum of the smaller) + 1: exact, in any order, on all 4,672 groups."""
    truth = hole_free_groups(k)
    assert len(truth) == 8**2 + 8**3 + 8**4
    assert 0 < sum(truth.values()) < len(truth)  # both verdicts occur
    assert disagreements(satisfies_exact_rule, k) == []


def test_the_exact_rule_test_catches_wrong_rules() -> None:
    """The comparison above fails for the order-dependent rule, and for the rule off by one either way."""

    def rising_from_1(rates: list[int], k: int) -> bool:  # start at 1, never decrease, M_2 <= K
        return rates[0] == 1 and rates == sorted(rates) and satisfies_hdc(rates, k)

    def bound(rates: list[int], k: int, slack: int) -> bool:
        below = 0
        for d in sorted(rates):
            if d > (k - 1) * below + 1 + slack:
                return False
            below += d
        return True

    assert len(disagreements(rising_from_1, 3)) > 1000  # e.g. [2, 1, 1] and [1, 3, 1], hole-free
    assert {(2, 1, 1), (1, 3, 1)} <= set(disagreements(rising_from_1, 3))
    for k in (3, 5):
        assert disagreements(lambda r, k: bound(r, k, 1), k) and disagreements(lambda r, k: bound(r, k, -1), k)


def test_exact_rule_break_names_the_rate_and_its_bound() -> None:
    assert exact_rule_break([1, 2, 9]) == (9, 7) and count_holes([1, 2, 9]) == 184
    assert exact_rule_break([9, 2, 1]) == (9, 7) and count_holes([9, 2, 1]) == 184
    assert exact_rule_break([2, 3, 5]) == (2, 1) and exact_rule_break([1, 2, 9], 5) is None
    assert exact_rule_break([1, 2, 15], 5) == (15, 13) and not is_gridding_free([1, 2, 15], 5)
    assert exact_rule_break([3, 7], 1) is None and is_gridding_free([3, 7], 1)  # 1x1 layers read one pixel


def test_erf_at_identity_init_is_one_pixel() -> None:
    model = conv_stack(CONTEXT_DILATIONS, CONTEXT_KERNELS, channels=3, init="identity")
    erf = effective_receptive_field(model, 80, channels=3, samples=4, positive=True)
    assert np.argwhere(erf).tolist() == [[40, 40]]
    assert erf_size(erf) == 1
    assert receptive_fields(CONTEXT_KERNELS, CONTEXT_DILATIONS)[-1] == 67


def test_erf_at_random_init_stays_inside_the_field() -> None:
    model = conv_stack(CONTEXT_DILATIONS, CONTEXT_KERNELS, channels=4, seed=0)
    erf = effective_receptive_field(model, 80, channels=4, samples=8, seed=1)
    rows, cols = np.nonzero(erf)
    assert rows.min() >= 40 - 33 and rows.max() <= 40 + 33 and cols.min() >= 7 and cols.max() <= 73
    assert 1 < erf_size(erf, 0.5) < erf_size(erf, 0.95) <= 67


def test_conv_stack_inits_and_seed() -> None:
    x = torch.rand(2, 3, 10, 10)
    assert torch.equal(conv_stack([1, 3, 1], channels=3, init="identity")(x), x)
    a, b = conv_stack([1, 2], channels=2, seed=5), conv_stack([1, 2], channels=2, seed=5)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    state = torch.get_rng_state()
    conv_stack([1, 2], seed=3)
    assert torch.equal(state, torch.get_rng_state())  # the global generator is untouched
    ones = conv_stack([2], kernel_size=3, init="ones")
    assert ones(torch.ones(1, 1, 7, 7))[0, 0, 3, 3] == 9  # nine taps, all inside the image
    assert [type(m).__name__ for m in conv_stack([1, 2, 4])] == ["Conv2d", "ReLU", "Conv2d", "ReLU", "Conv2d"]


def test_numpy_arrays_are_sequences() -> None:
    assert count_holes(np.array([2, 2, 2])) == 120
    assert count_holes(np.array([1, 2]), np.array([3, 3]), np.array([1, 1])) == 0
    assert hdc_max_distances(np.array([1, 2, 9])) == [3, 5, 9]


def test_erf_size_squares() -> None:
    m = np.zeros((9, 9))
    m[4, 4], m[4, 7], m[0, 0] = 6.0, 3.0, 1.0  # 60% at the centre, 90% within radius 3
    assert [erf_size(m, q) for q in (0.5, 0.6, 0.61, 0.9, 1.0)] == [1, 1, 7, 7, 9]
    assert erf_size(np.zeros((3, 3))) == 0
    assert erf_size(m, 0.5, centre=(0, 0)) == 9  # from a corner the square runs over the edge


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: impulse_response([]), ValueError, "dilations"),
        (lambda: impulse_response([1, 0]), ValueError, r"dilations\[1\]"),
        (lambda: impulse_response([1, 2.0]), TypeError, r"dilations\[1\]"),
        (lambda: impulse_response("12"), TypeError, "dilations"),
        (lambda: impulse_response(3), TypeError, "dilations"),
        (lambda: hole_map([1, 2], kernel_size=[3]), ValueError, "kernel_size"),
        (lambda: hole_map([1, 2], kernel_size=0), ValueError, "kernel_size"),
        (lambda: count_holes([1, 2], strides=[1]), ValueError, "strides"),
        (lambda: count_holes([1, 2], strides=[1, 0]), ValueError, r"strides\[1\]"),
        (lambda: impulse_response([1] * 40), ValueError, "kernel_size"),  # 9**40 paths overflow int64
        (lambda: hdc_max_distances([]), ValueError, "dilations"),
        (lambda: hdc_max_distances([1, -2]), ValueError, r"dilations\[1\]"),
        (lambda: satisfies_hdc([3]), ValueError, "at least 2 layers"),
        (lambda: satisfies_hdc([1, 2], kernel_size=0), ValueError, "kernel_size"),
        (lambda: reached_offsets([1, 2], kernel_size=2), ValueError, "kernel_size"),
        (lambda: widest_gap([]), ValueError, "dilations"),
        (lambda: shares_common_factor([2, 0]), ValueError, r"dilations\[1\]"),
        (lambda: satisfies_exact_rule([1.0, 2]), TypeError, r"dilations\[0\]"),
        (lambda: satisfies_exact_rule([]), ValueError, "dilations"),
        (lambda: satisfies_exact_rule([1, 2], 4), ValueError, "kernel_size"),
        (lambda: satisfies_exact_rule([1, 2], 0), ValueError, "kernel_size"),
        (lambda: satisfies_exact_rule([1, 2], 3.0), TypeError, "kernel_size"),
        (lambda: exact_rule_break("12"), TypeError, "dilations"),
        (lambda: conv_stack([1], init="xavier"), ValueError, "init"),
        (lambda: conv_stack([1, 2], kernel_size=[3, 2], init="identity"), ValueError, "kernel_size"),
        (lambda: conv_stack([1], channels=0), ValueError, "channels"),
        (lambda: input_gradient(conv_stack([1]), torch.ones(5, 5)), ValueError, "input"),
        (lambda: input_gradient(conv_stack([1]), torch.ones(1, 1, 5, 5), position=(5, 0)), ValueError, "position"),
        (lambda: receptive_field_by_gradient(conv_stack([1]), 0), ValueError, "input_size"),
        (lambda: effective_receptive_field(conv_stack([1]), 5, samples=0), ValueError, "samples"),
        (lambda: erf_size(np.ones(4)), ValueError, "erf"),
        (lambda: erf_size(-np.ones((3, 3))), ValueError, "erf"),
        (lambda: erf_size(np.ones((3, 3)), mass=1.5), ValueError, "mass"),
    ],
)
def test_bad_input(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()
