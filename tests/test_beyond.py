"""Causal dilated convolution and WaveNet's stack; DeepLab's ASPP and the valid taps of an atrous kernel."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dilconv_lib.beyond import (
    ASPP,
    ASPP_RATES,
    WaveNetStack,
    causal_conv1d,
    generate,
    gradient_support,
    queue_step,
    valid_tap_counts,
    valid_tap_fraction,
    wavenet_dilations,
    wavenet_receptive_field,
    window_offsets,
)
from dilconv_lib.geometry import effective_kernel_size, receptive_fields

# --- causal convolution ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "c_in", "c_out", "length", "k", "d", "with_bias"),
    [
        (2, 3, 4, 20, 2, 1, True),
        (1, 1, 1, 9, 2, 4, False),
        (3, 2, 5, 7, 3, 3, True),  # the dilated kernel (7) as long as the input
        (1, 2, 2, 3, 4, 5, True),  # the dilated kernel (16) longer than the input: all but one tap read zeros
        (2, 1, 3, 1, 2, 1, False),  # one step
        (0, 2, 2, 6, 2, 2, True),  # empty batch
    ],
)
def test_causal_conv1d_is_conv1d_on_the_left_padded_input(
    n: int, c_in: int, c_out: int, length: int, k: int, d: int, with_bias: bool
) -> None:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, c_in, length, generator=generator, dtype=torch.float64)
    w = torch.randn(c_out, c_in, k, generator=generator, dtype=torch.float64)
    b = torch.randn(c_out, generator=generator, dtype=torch.float64) if with_bias else None
    padded = torch.cat([torch.zeros(n, c_in, d * (k - 1), dtype=torch.float64), x], dim=2)
    expected = F.conv1d(padded, w, b, dilation=d)
    got = causal_conv1d(x, w, b, dilation=d)
    assert got.shape == (n, c_out, length) and got.dtype == torch.float64
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)
    # unbatched input gives the same rows
    if n:
        torch.testing.assert_close(causal_conv1d(x[0], w, b, dilation=d), expected[0], rtol=0, atol=1e-12)


def test_causal_conv1d_reads_the_defining_sum() -> None:
    # out[t] = sum_j w[j] x[t - d (k - 1 - j)], x = 0 before the start
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]], dtype=torch.float64)
    w = torch.tensor([[[100.0, 10.0, 1.0]]], dtype=torch.float64)  # k = 3
    d = 2
    expected = [
        sum(w[0, 0, j] * (x[0, t - d * (2 - j)] if t - d * (2 - j) >= 0 else 0) for j in range(3)) for t in range(6)
    ]
    assert causal_conv1d(x, w, dilation=d)[0].tolist() == [float(v) for v in expected]
    assert causal_conv1d(x, w, dilation=d)[0].tolist() == [1.0, 2.0, 13.0, 24.0, 135.0, 246.0]


@pytest.mark.parametrize(("k", "d"), [(2, 1), (2, 4), (3, 2), (5, 3)])
def test_causal_conv1d_is_causal_by_gradient(k: int, d: int) -> None:
    length, t = 40, 25
    x = torch.randn(1, 2, length, dtype=torch.float64, requires_grad=True)
    w = torch.randn(3, 2, k, dtype=torch.float64)
    causal_conv1d(x, w, dilation=d)[0, :, t].sum().backward()
    reached = np.flatnonzero(x.grad[0].abs().sum(dim=0).numpy())
    assert (x.grad[0, :, t + 1 :] == 0).all()  # exactly zero after t
    assert reached.tolist() == [t - d * (k - 1 - j) for j in range(k)]  # the k taps, d apart, ending at t


# --- WaveNet -------------------------------------------------------------------------------------------------


def test_wavenet_numbers() -> None:
    assert wavenet_dilations() == (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
    assert wavenet_dilations(3) == wavenet_dilations() * 3
    assert wavenet_receptive_field() == 1024
    assert wavenet_receptive_field(blocks=3) == 3070
    assert wavenet_receptive_field(blocks=3) == receptive_fields([2] * 30, wavenet_dilations(3))[-1]
    assert wavenet_receptive_field(max_dilation=8) == 16  # Figure 3's four layers
    assert wavenet_dilations(1, 1) == (1,) and wavenet_receptive_field(1, 1) == 2


@pytest.mark.parametrize(
    ("dilations", "k", "gated", "residual"),
    [
        ((1, 2, 4, 8), 2, True, True),
        ((1, 2, 4, 8), 2, False, False),
        ((1, 2, 4, 8, 1, 2, 4, 8), 2, True, False),
        ((1, 3, 9), 3, False, True),
        ((2, 2), 2, True, True),  # holes: the gradient reaches every other step only
    ],
)
def test_wavenet_stack_is_causal_and_its_field_is_the_formula(
    dilations: tuple[int, ...], k: int, gated: bool, residual: bool
) -> None:
    torch.manual_seed(0)
    stack = WaveNetStack(3, dilations, kernel_size=k, gated=gated, residual=residual).double()
    field = receptive_fields([k] * len(dilations), dilations)[-1]
    assert stack.receptive_field == field
    length, t = 3 * field + 10, 2 * field + 3
    support = gradient_support(stack, length, channels=3, position=t)
    assert support.max() == t  # causal: nothing after t; and the current step is read
    assert t - support.min() + 1 == field  # the measured field is the formula's
    # the steps reached are the sums of one tap offset per layer
    offsets = {sum(c) for c in itertools.product(*[[j * d for j in range(k)] for d in dilations])}
    assert sorted(t - s for s in offsets) == support.tolist()


def test_wavenet_stack_three_blocks_measured() -> None:
    torch.manual_seed(0)
    stack = WaveNetStack(1, wavenet_dilations(3)).double()
    support = gradient_support(stack, 4000, position=3500)
    assert support.tolist() == list(range(3500 - 3070 + 1, 3501))


def test_wavenet_stack_shapes_and_causality_of_values() -> None:
    torch.manual_seed(0)
    stack = WaveNetStack(4, (1, 2, 4)).double()
    x = torch.randn(2, 4, 30, dtype=torch.float64)
    y = stack(x)
    assert y.shape == (2, 4, 30)
    # changing the future leaves the past alone, exactly
    x2 = x.clone()
    x2[:, :, 20:] = torch.randn(2, 4, 10, dtype=torch.float64)
    assert torch.equal(stack(x2)[:, :, :20], y[:, :, :20])
    assert not torch.equal(stack(x2)[:, :, 20:], y[:, :, 20:])


def test_wavenet_stack_layers() -> None:
    stack = WaveNetStack(5, (1, 2), gated=True)
    assert [c.weight.shape for c in stack.dilated] == [(10, 5, 2)] * 2  # filter and gate in one convolution
    assert [c.weight.shape for c in WaveNetStack(5, (1, 2), gated=False).dilated] == [(5, 5, 2)] * 2
    assert [c.weight.shape for c in stack.mix] == [(5, 5, 1)] * 2


def test_wavenet_stack_by_hand() -> None:
    """One gated residual layer written out: x + W_r (tanh(W_f * x) * sigmoid(W_g * x))."""
    torch.manual_seed(1)
    stack = WaveNetStack(2, (3,)).double()
    x = torch.randn(1, 2, 12, dtype=torch.float64)
    conv, mix = stack.dilated[0], stack.mix[0]
    padded = F.pad(x, (3, 0))
    f = F.conv1d(padded, conv.weight[:2], conv.bias[:2], dilation=3)
    g = F.conv1d(padded, conv.weight[2:], conv.bias[2:], dilation=3)
    expected = x + F.conv1d(torch.tanh(f) * torch.sigmoid(g), mix.weight, mix.bias)
    torch.testing.assert_close(stack(x), expected, rtol=0, atol=1e-12)


# --- valid taps ----------------------------------------------------------------------------------------------


def brute_force_counts(height: int, width: int, rate: int, k: int) -> np.ndarray:
    counts = np.zeros((height, width), dtype=np.int64)
    half = k // 2
    for i in range(height):
        for j in range(width):
            for a in range(-half, half + 1):
                for b in range(-half, half + 1):
                    if 0 <= i + a * rate < height and 0 <= j + b * rate < width:
                        counts[i, j] += 1
    return counts


@pytest.mark.parametrize(
    ("height", "width", "rate", "k"),
    [(5, 5, 2, 3), (9, 6, 3, 3), (33, 33, 6, 3), (33, 33, 24, 3), (13, 7, 5, 5), (4, 4, 1, 1), (17, 17, 18, 3)],
)
def test_valid_tap_counts_by_brute_force(height: int, width: int, rate: int, k: int) -> None:
    expected = brute_force_counts(height, width, rate, k)
    got = valid_tap_counts((height, width), rate, k)
    assert got.dtype == np.int64 and np.array_equal(got, expected)
    # and by convolution: all-ones kernel on an all-ones map with zero padding counts the taps on the map
    ones = F.conv2d(torch.ones(1, 1, height, width), torch.ones(1, 1, k, k), padding=rate * (k // 2), dilation=rate)
    assert np.array_equal(got, ones[0, 0].numpy().astype(np.int64))
    assert valid_tap_fraction((height, width), rate, k) == pytest.approx(expected.sum() / (height * width * k * k))


def test_valid_tap_fraction_degenerates_to_the_centre_tap() -> None:
    for size, rate in [(33, 33), (33, 36), (65, 65), (8, 24)]:
        assert (valid_tap_counts(size, rate) == 1).all()
        assert valid_tap_fraction(size, rate) == 1 / 9
    assert (valid_tap_counts(33, 32) > 1).any()  # one short of the size, a corner pixel still reaches across
    # the fraction falls as the rate grows, and is 1 / 9 from the map's size on
    fractions = [valid_tap_fraction(33, r) for r in range(1, 40)]
    assert all(a >= b for a, b in zip(fractions, fractions[1:]))
    assert fractions[0] < 1 and fractions[32] == 1 / 9


def test_per_axis_closed_form() -> None:
    # per axis the mean count is 1 + 2 max(n - r, 0) / n; squared and divided by 9 for a 3x3 kernel
    for n, r in itertools.product([1, 5, 33, 65], [1, 2, 6, 12, 18, 24, 36, 70]):
        per_axis = 1 + 2 * max(n - r, 0) / n
        assert valid_tap_fraction(n, r) == pytest.approx(per_axis**2 / 9)


def test_a_degenerate_branch_is_a_1x1_convolution() -> None:
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    w = torch.randn(4, 3, 3, 3, dtype=torch.float64)
    atrous = F.conv2d(x, w, padding=24, dilation=24)
    torch.testing.assert_close(atrous, F.conv2d(x, w[:, :, 1:2, 1:2]), rtol=0, atol=1e-12)
    assert not torch.allclose(F.conv2d(x, w, padding=6, dilation=6), F.conv2d(x, w[:, :, 1:2, 1:2]))


# --- ASPP ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "height", "width"), [(2, 33, 33), (1, 5, 9), (1, 1, 1), (0, 7, 7), (3, 65, 20)])
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"image_pooling": False}, {"variant": "v2"}, {"rates": (1, 2)}, {"rates": (12, 24, 36)}],
)
def test_aspp_shapes(n: int, height: int, width: int, kwargs: dict) -> None:
    aspp = ASPP(6, 4, **kwargs)
    assert aspp(torch.randn(n, 6, height, width)).shape == (n, 4, height, width)


def test_aspp_structure() -> None:
    assert ASPP_RATES == {"v2": (6, 12, 18, 24), "v3": (6, 12, 18)}
    v3 = ASPP(16, 8)
    assert v3.rates == (6, 12, 18) and v3.image_pooling
    assert [b.kernel_size for b in v3.branches] == [(1, 1)] + [(3, 3)] * 3
    assert [b.dilation for b in v3.branches[1:]] == [(6, 6), (12, 12), (18, 18)]
    assert [b.padding for b in v3.branches[1:]] == [(6, 6), (12, 12), (18, 18)]
    assert v3.pool.kernel_size == (1, 1) and v3.project.in_channels == 5 * 8 and v3.project.out_channels == 8
    assert ASPP(16, 8, image_pooling=False).project.in_channels == 4 * 8
    v2 = ASPP(16, 21, variant="v2")
    assert v2.rates == (6, 12, 18, 24) and not v2.image_pooling and v2.pool is None and v2.project is None
    assert [b.dilation for b in v2.branches] == [(r, r) for r in (6, 12, 18, 24)]
    assert [effective_kernel_size(3, r) for r in v2.rates] == [13, 25, 37, 49]


def aspp_v3_by_hand(aspp: ASPP, x: torch.Tensor) -> torch.Tensor:
    one, *atrous = aspp.branches
    features = [F.relu(F.conv2d(x, one.weight, one.bias))]
    for conv, r in zip(atrous, aspp.rates):
        features.append(F.relu(F.conv2d(x, conv.weight, conv.bias, padding=r, dilation=r)))
    if aspp.pool is not None:
        mean = x.mean(dim=(2, 3), keepdim=True)  # (N, C_in, 1, 1)
        pooled = F.relu(F.conv2d(mean, aspp.pool.weight, aspp.pool.bias))
        features.append(F.interpolate(pooled, size=x.shape[2:], mode="bilinear", align_corners=False))
    return F.relu(F.conv2d(torch.cat(features, dim=1), aspp.project.weight, aspp.project.bias))


@pytest.mark.parametrize("image_pooling", [True, False])
def test_aspp_v3_against_a_hand_built_reference(image_pooling: bool) -> None:
    torch.manual_seed(0)
    aspp = ASPP(3, 2, rates=(1, 2, 4), image_pooling=image_pooling).double()
    if image_pooling:
        with torch.no_grad():
            aspp.pool.bias.copy_(torch.tensor([-5.0, 5.0]))  # one pooled channel below zero, one above
    x = torch.randn(2, 3, 6, 5, dtype=torch.float64)
    torch.testing.assert_close(aspp(x), aspp_v3_by_hand(aspp, x), rtol=0, atol=1e-12)


def test_aspp_v3_one_output_pixel_by_the_sum() -> None:
    """One output value of a one-channel ASPP, from the taps that land on a 3x3 map."""
    torch.manual_seed(2)
    aspp = ASPP(1, 1, rates=(2,)).double()
    x = torch.randn(1, 1, 3, 3, dtype=torch.float64)
    one, atrous = aspp.branches
    i, j = 0, 2  # a corner: at rate 2 the taps at (0, 0), (0, 2), (2, 0), (2, 2) land on the map
    b1 = one.weight[0, 0, 0, 0] * x[0, 0, i, j] + one.bias[0]
    b2 = atrous.bias[0] + sum(
        atrous.weight[0, 0, a + 1, b + 1] * x[0, 0, i + 2 * a, j + 2 * b]
        for a in (-1, 0, 1)
        for b in (-1, 0, 1)
        if 0 <= i + 2 * a < 3 and 0 <= j + 2 * b < 3
    )
    b3 = aspp.pool.weight[0, 0, 0, 0] * x.mean() + aspp.pool.bias[0]
    p = aspp.project
    expected = torch.relu(p.bias[0] + sum(p.weight[0, c, 0, 0] * torch.relu(v) for c, v in enumerate([b1, b2, b3])))
    torch.testing.assert_close(aspp(x)[0, 0, i, j], expected, rtol=0, atol=1e-12)


def test_aspp_v2_sums_its_branches() -> None:
    torch.manual_seed(0)
    aspp = ASPP(3, 5, rates=(1, 2, 3), variant="v2").double()
    x = torch.randn(2, 3, 7, 7, dtype=torch.float64)
    expected = sum(F.conv2d(x, b.weight, b.bias, padding=r, dilation=r) for b, r in zip(aspp.branches, aspp.rates))
    torch.testing.assert_close(aspp(x), expected, rtol=0, atol=1e-12)


def test_image_pooling_is_the_same_at_every_pixel() -> None:
    torch.manual_seed(0)
    aspp = ASPP(2, 3).double()
    x = torch.randn(1, 2, 9, 9, dtype=torch.float64)
    # with every branch but pooling silenced, the output is constant over the map
    with torch.no_grad():
        for branch in aspp.branches:
            branch.weight.zero_()
            branch.bias.zero_()
    y = aspp(x)
    assert torch.equal(y, y[:, :, :1, :1].expand_as(y))


# --- bad arguments -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: causal_conv1d(torch.ones(1, 1, 5), torch.ones(1, 1, 2), dilation=0), ValueError, "dilation"),
        (lambda: causal_conv1d(torch.ones(1, 1, 5), torch.ones(1, 1, 2), dilation=1.5), TypeError, "dilation"),
        (lambda: causal_conv1d(torch.ones(1, 1, 5), torch.ones(1, 2), dilation=1), ValueError, "weight"),
        (lambda: causal_conv1d(torch.ones(1, 1, 5), torch.tensor(2.0)), ValueError, "weight"),
        (lambda: causal_conv1d(torch.ones(5), torch.ones(1, 1, 2)), ValueError, "input"),
        (lambda: causal_conv1d(torch.ones(1, 1, 1, 5), torch.ones(1, 1, 2)), ValueError, "input"),
        (lambda: causal_conv1d(torch.ones(1, 1, 0), torch.ones(1, 1, 2)), ValueError, "input"),
        (lambda: causal_conv1d(torch.ones(1, 3, 5), torch.ones(1, 2, 2)), ValueError, "channels"),
        (lambda: causal_conv1d([[1.0, 2.0]], torch.ones(1, 1, 2)), TypeError, "input"),
        (lambda: causal_conv1d(torch.ones(1, 5, dtype=torch.int64), torch.ones(1, 1, 2)), TypeError, "input"),
        (lambda: causal_conv1d(torch.ones(1, 5), torch.ones(1, 1, 2), torch.ones(3)), ValueError, "bias"),
        (lambda: wavenet_dilations(0), ValueError, "blocks"),
        (lambda: wavenet_dilations(1, 500), ValueError, "max_dilation"),
        (lambda: wavenet_dilations(1, "512"), TypeError, "max_dilation"),
        (lambda: wavenet_receptive_field(kernel_size=0), ValueError, "kernel_size"),
        (lambda: WaveNetStack(0), ValueError, "channels"),
        (lambda: WaveNetStack(2, ()), ValueError, "dilations"),
        (lambda: WaveNetStack(2, (1, 0)), ValueError, r"dilations\[1\]"),
        (lambda: WaveNetStack(2, "124"), TypeError, "dilations"),
        (lambda: WaveNetStack(2, gated=1), TypeError, "gated"),
        (lambda: WaveNetStack(2)(torch.ones(1, 3, 8)), ValueError, "input must have 2 channels"),
        (lambda: WaveNetStack(2)(torch.ones(2, 8)), ValueError, "input must have 3 dimensions"),
        (lambda: WaveNetStack(2)(torch.ones(1, 2, 8, dtype=torch.float64)), TypeError, "weight has dtype"),
        (lambda: gradient_support(WaveNetStack(1), 10, position=10), ValueError, "position"),
        (lambda: gradient_support(WaveNetStack(1), 0), ValueError, "length"),
        (lambda: valid_tap_counts(0, 2), ValueError, "size"),
        (lambda: valid_tap_counts(5, 0), ValueError, "rate"),
        (lambda: valid_tap_counts(5, 2.0), TypeError, "rate"),
        (lambda: valid_tap_counts((5, 5, 5), 2), ValueError, "size"),
        (lambda: valid_tap_fraction(5, 2, kernel_size=2), ValueError, "kernel_size must be odd"),
        (lambda: ASPP(0, 4), ValueError, "in_channels"),
        (lambda: ASPP(4, 2.0), TypeError, "out_channels"),
        (lambda: ASPP(4, 4, variant="v4"), ValueError, "variant"),
        (lambda: ASPP(4, 4, variant=3), TypeError, "variant"),
        (lambda: ASPP(4, 4, rates=(6, 0)), ValueError, r"rates\[1\]"),
        (lambda: ASPP(4, 4, rates=6), TypeError, "rates"),
        (lambda: ASPP(4, 4, rates=[]), ValueError, "rates"),
        (lambda: ASPP(4, 4, variant="v2", image_pooling=True), ValueError, "image_pooling"),
        (lambda: ASPP(4, 4, image_pooling="yes"), TypeError, "image_pooling"),
        (lambda: ASPP(4, 4)(torch.ones(1, 3, 8, 8)), ValueError, "input must have 4 channels"),
        (lambda: ASPP(4, 4)(torch.ones(4, 8, 8)), ValueError, "input must have 4 dimensions"),
        (lambda: ASPP(4, 4)(np.ones((1, 4, 8, 8))), TypeError, "input"),
    ],
)
def test_bad_arguments(call: Callable[[], object], error: type[Exception], name: str) -> None:
    with pytest.raises(error, match=name):
        call()


# --- fast generation (Paine et al.): cached queues against recomputing each layer's window ------------------


@pytest.mark.parametrize(
    ("kernel_size", "gated", "residual", "dilations"),
    [(2, True, True, (1, 2, 4, 8)), (3, False, True, (1, 3, 9)), (2, True, False, (2, 1, 4)), (4, False, False, (5,))],
    ids=["wavenet", "k3_tanh", "no_residual", "one_layer"],
)
def test_cached_generation_equals_the_naive_one(
    kernel_size: int, gated: bool, residual: bool, dilations: tuple[int, ...]
) -> None:
    _ = torch.manual_seed(0)
    stack = WaveNetStack(3, dilations, kernel_size=kernel_size, gated=gated, residual=residual).double()
    seed = torch.randn(2, 3, dtype=torch.float64)  # (N, C)
    fast, slow = generate(stack, seed, 40), generate(stack, seed, 40, cached=False)
    assert fast.samples.shape == slow.samples.shape == (2, 3, 41)
    assert torch.equal(fast.samples[..., 0], seed)
    torch.testing.assert_close(fast.samples, slow.samples, rtol=0, atol=1e-12)
    full = [seed]  # the strawman: the whole stack over the whole history at every step, its last column
    with torch.no_grad():
        for _ in range(40):
            full.append(torch.tanh(stack(torch.stack(full, dim=-1))[..., -1]))
    torch.testing.assert_close(fast.samples, torch.stack(full, dim=-1), rtol=0, atol=1e-12)
    windows = window_offsets(dilations, kernel_size)
    assert fast.columns == len(dilations) * 40
    assert slow.columns == sum(sum(s <= t for s in w) for w in windows[1:] for t in range(40))  # none before x_0


def test_the_windows_are_the_cone_of_one_output() -> None:
    # kernel 2, doubling dilations: 1 + 2 + ... + 2^(M-1) = R - 1 columns a step, the input window is the field
    windows = window_offsets((1, 2, 4, 8, 16))
    assert [len(w) for w in windows] == [32, 16, 8, 4, 2, 1]
    assert windows[0] == list(range(32)) and sum(len(w) for w in windows[1:]) == 31
    assert window_offsets((2, 2), 3)[0] == [0, 2, 4, 6, 8]  # holes: a window need not be contiguous
    with pytest.raises(ValueError, match="dilations"):
        window_offsets((0, 1))


def test_queue_step_is_a_full_pass_column_by_column() -> None:
    _ = torch.manual_seed(2)
    stack = WaveNetStack(3, (1, 3), kernel_size=3).double()
    x = torch.randn(2, 3, 20, dtype=torch.float64)  # (N, C, L)
    queues = [torch.zeros(2, 3, 2 * d + 1, dtype=torch.float64) for d in stack.dilations]
    before = [q.clone() for q in queues]
    out, new = queue_step(stack, x[..., 0], queues)
    assert all(torch.equal(a, b) for a, b in zip(queues, before))  # the arguments are not changed
    columns = [out]
    for t in range(1, 20):
        out, new = queue_step(stack, x[..., t], new)
        columns.append(out)
    with torch.no_grad():
        torch.testing.assert_close(torch.stack(columns, dim=-1), stack(x), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="queues"):
        queue_step(stack, x[..., 0], queues[:1])
    with pytest.raises(ValueError, match="x"):
        queue_step(stack, x[:, :2, 0], queues)
    with pytest.raises(TypeError, match="x"):
        queue_step(stack, x[..., 0].numpy(), queues)


def test_generation_feeds_back_the_stack_output() -> None:
    _ = torch.manual_seed(1)
    stack = WaveNetStack(2, (1, 2)).double()
    samples = generate(stack, torch.randn(1, 2, dtype=torch.float64), 10).samples
    expected = torch.tanh(stack(samples[..., :-1]))  # x_(t+1) = tanh(stack(x_0 .. x_t)[t]); causal, so one pass
    torch.testing.assert_close(samples[..., 1:], expected, rtol=0, atol=1e-12)


def test_generation_zero_steps_and_no_gradients() -> None:
    stack = WaveNetStack(2, (1, 2)).double()
    seed = torch.zeros(1, 2, dtype=torch.float64)
    for cached in (True, False):
        out = generate(stack, seed, 0, cached=cached)
        assert out.samples.shape == (1, 2, 1) and out.columns == 0
    assert not generate(stack, seed, 3).samples.requires_grad
    assert all(p.grad is None for p in stack.parameters())


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        (dict(stack=nn.Conv1d(2, 2, 1)), TypeError, "stack must be a WaveNetStack"),
        (dict(seed=[[0.0, 0.0]]), TypeError, "seed must be a torch.Tensor"),
        (dict(seed=torch.zeros(1, 3, dtype=torch.float64)), ValueError, r"seed must have shape \(N, 2\)"),
        (dict(steps=-1), ValueError, "steps"),
        (dict(steps=2.5), TypeError, "steps"),
        (dict(cached="yes"), TypeError, "cached must be True or False"),
    ],
    ids=["stack", "seed_type", "seed_shape", "negative_steps", "float_steps", "cached"],
)
def test_generation_bad_arguments(kwargs: dict[str, Any], error: type[Exception], words: str) -> None:
    call: dict[str, Any] = dict(stack=WaveNetStack(2, (1, 2)).double(), seed=torch.zeros(1, 2, dtype=torch.float64))
    call.update(steps=3)
    call.update(kwargs)
    cached = call.pop("cached", True)
    with pytest.raises(error, match=words):
        generate(call["stack"], call["seed"], call["steps"], cached=cached)
