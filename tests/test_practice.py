"""dilconv_lib.backbone and dilconv_lib.practice: dilation instead of stride, degridding, transposed conv, TCNs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dilconv_lib.backbone import (
    LayerSpec,
    ResNetLike,
    output_grid_dilations,
    replace_stride_with_dilation,
    resnet_layers,
    stage_rows,
    summarise_backbone,
)
from dilconv_lib.beyond import gradient_support
from dilconv_lib.exercises import (
    check_field_centre,
    check_output_stride_plan,
    check_separable_cost,
)
from dilconv_lib.geometry import receptive_fields
from dilconv_lib.practice import (
    DRN_VARIANTS,
    TCN,
    block_response,
    cascade_rates,
    conv1d_stack,
    conv_cost,
    conv_transpose2d_by_zero_insertion,
    drn_blocks,
    echo_batch,
    field_geometry,
    input_support,
    insert_zeros,
    lattice_share,
    multi_grid_rates,
    train_echo,
)
from dilconv_lib.receptive import count_holes, impulse_response, is_gridding_free, satisfies_hdc
from tests.verdicts import verdict_in_chinese

torch.set_num_threads(1)


# --- Backbones ----------------------------------------------------------------------------------------------


def test_resnet50_layers_match_torchvision_counts() -> None:
    layers = resnet_layers()
    convs = [s for s in layers if s.kind == "conv"]
    # torchvision's resnet50 has 53 convolutions: the stem, 16 blocks x 3, and 4 projections
    assert len(convs) == 1 + 16 * 3 + 4
    # 25,557,032 parameters, less the classifier (2048 * 1000 + 1000) and batch norm (2 per channel)
    batch_norm = 2 * sum(s.out_channels for s in convs)
    assert sum(s.weights for s in layers) == 25_557_032 - 2_049_000 - batch_norm


@pytest.mark.parametrize("output_stride", [32, 16, 8, 4])
def test_output_stride_and_unchanged_receptive_field(output_stride: int) -> None:
    flags = replace_stride_with_dilation(output_stride)
    summary = summarise_backbone(resnet_layers(replace_stride_with_dilation=flags), 512)
    assert summary.output_stride == output_stride
    assert summary.feature_size == 512 // output_stride
    assert summary.receptive_field == 427 and summary.effective_padding == 213  # centred: (427 - 1) / 2


def test_dilated_stages_follow_torchvision() -> None:
    layers = resnet_layers(replace_stride_with_dilation=[False, True, True])
    rates = {s.name: (s.stride, s.dilation) for s in layers if s.kernel_size == 3 and s.kind == "conv"}
    assert rates["layer2.0.conv2"] == (2, 1)
    assert rates["layer3.0.conv2"] == (1, 1) and rates["layer3.5.conv2"] == (1, 2)
    assert rates["layer4.0.conv2"] == (1, 2) and rates["layer4.2.conv2"] == (1, 4)
    downsample = {s.name: s.stride for s in layers if s.shortcut}
    assert downsample == {
        "layer1.0.downsample": 1,
        "layer2.0.downsample": 2,
        "layer3.0.downsample": 1,
        "layer4.0.downsample": 1,
    }


def test_cost_grows_as_the_output_stride_falls() -> None:
    s = {
        os_: summarise_backbone(resnet_layers(replace_stride_with_dilation=replace_stride_with_dilation(os_)), 512)
        for os_ in (32, 16, 8)
    }
    assert s[32].weights == s[16].weights == s[8].weights  # the same weights, used at more positions
    assert s[32].activations < s[16].activations < s[8].activations
    assert s[8].activations > 1.9 * s[16].activations and s[8].multiply_adds > 3 * s[16].multiply_adds
    rows = stage_rows(resnet_layers(replace_stride_with_dilation=[False, True, True]), 512)
    assert sum(r.activations for r in rows) == s[8].activations
    assert sum(r.multiply_adds for r in rows) == s[8].multiply_adds


def test_multiply_adds_match_torch_flop_counter() -> None:
    from torch.utils.flop_counter import FlopCounterMode

    net = ResNetLike(width=2, replace_stride_with_dilation=[False, True, True])
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        net(torch.randn(1, 3, 64, 64))
    conv_flops = sum(v for op, v in counter.get_flop_counts()["Global"].items() if "convolution" in str(op))
    assert conv_flops == 2 * summarise_backbone(net.layers, 64).multiply_adds


@pytest.mark.parametrize("output_stride, factor", [(16, 2), (8, 4)])
def test_algorithme_a_trous_identity(output_stride: int, factor: int) -> None:
    torch.manual_seed(0)
    blocks = (1, 1, 2, 2)  # with one block a stage, no 3x3 convolution follows layer4's stride
    strided = ResNetLike(blocks, width=2).double()
    flags = replace_stride_with_dilation(output_stride)
    dilated = ResNetLike(blocks, width=2, replace_stride_with_dilation=flags).double()
    dilated.load_state_dict(strided.state_dict())
    for size in (64, 72):
        x = torch.randn(2, 3, size, size, dtype=torch.float64)
        y, z = strided(x), dilated(x)
        assert z.shape[-1] == math.ceil(size / output_stride)
        assert torch.allclose(z[..., ::factor, ::factor], y, rtol=0, atol=1e-12)
    # without the dilation the identity fails: the same weights, stride removed, taps not spread
    undilated = ResNetLike(blocks, width=2).double()
    undilated.load_state_dict(strided.state_dict())
    for name, conv in undilated.convs.items():
        if name.startswith(("layer4",) if output_stride == 16 else ("layer3", "layer4")):
            conv.stride = (1, 1)
    assert not torch.allclose(undilated(x)[..., ::factor, ::factor], y)


def test_resnet_like_receptive_field_by_gradient() -> None:
    torch.manual_seed(0)
    net = ResNetLike(width=2, replace_stride_with_dilation=[False, True, True]).double()
    for p in net.parameters():
        p.data.abs_()  # non-negative weights: no gradient cancels, no ReLU is dead
    x = torch.rand(1, 3, 160, 160, dtype=torch.float64, requires_grad=True)
    net(x)[0, :, 10, 10].sum().backward()
    rows = np.flatnonzero(x.grad[0].abs().sum(dim=(0, 2)).numpy())
    assert rows.max() - rows.min() + 1 == net.receptive_field == 75
    assert (rows.min() + rows.max()) / 2 == 10 * 8  # centred on 8 f: the padding is symmetric


def test_multi_grid_changes_layer4_only() -> None:
    plain = resnet_layers(replace_stride_with_dilation=[False, False, True])
    grid = resnet_layers(replace_stride_with_dilation=[False, False, True], multi_grid=(1, 2, 4))
    changed = [a.name for a, b in zip(plain, grid) if a != b]
    assert changed == ["layer4.0.conv2", "layer4.1.conv2", "layer4.2.conv2"]
    assert [s.dilation for s in grid if s.name in changed] == [2, 4, 8]
    assert output_grid_dilations(grid)[-3:] == (2, 4, 8)
    with pytest.raises(ValueError, match="multi_grid"):
        resnet_layers(multi_grid=(1, 2))


def test_bad_backbone_arguments() -> None:
    with pytest.raises(ValueError, match="output_stride"):
        replace_stride_with_dilation(12)
    with pytest.raises(ValueError, match="replace_stride_with_dilation"):
        resnet_layers(replace_stride_with_dilation=[True, True])
    with pytest.raises(TypeError, match="replace_stride_with_dilation"):
        resnet_layers(replace_stride_with_dilation=[0, 1, 1])
    with pytest.raises(ValueError, match="blocks"):
        resnet_layers((3, 4, 6))
    with pytest.raises(ValueError, match="groups"):
        LayerSpec("c", 3, in_channels=3, out_channels=4, groups=2)
    with pytest.raises(ValueError, match="input must have 3 channels"):
        ResNetLike()(torch.randn(1, 1, 32, 32))


# --- DRN ----------------------------------------------------------------------------------------------------


def test_drn_blocks_and_degridding() -> None:
    shares = {v: lattice_share(block_response(drn_blocks(v)), 2) for v in DRN_VARIANTS}
    assert shares["A"] > shares["B"] > shares["C"]
    assert shares["A"] > 2 * 0.25 and shares["C"] < 1.1 * 0.25  # uniform: a quarter on the even lattice
    with pytest.raises(ValueError, match="variant"):
        drn_blocks("D")


def test_block_response_without_residuals_is_the_impulse_response() -> None:
    for dilations in ([1, 2, 5], [2, 2, 2], [4, 4, 2, 2, 1, 1]):
        response = block_response([(tuple(dilations), False)])
        paths = impulse_response(dilations)
        assert np.allclose(response, paths / paths.sum(), rtol=0, atol=1e-15)
        assert (response > 0).sum() == paths.size - count_holes(dilations)


def test_block_response_matches_torch() -> None:
    blocks = [((1, 2), True), ((4,), False), ((2, 1), True)]
    r = block_response(blocks)
    size = r.shape[0]
    x = torch.zeros(1, 1, size, size, dtype=torch.float64)
    x[0, 0, size // 2, size // 2] = 1.0
    mean = torch.full((1, 1, 3, 3), 1 / 9, dtype=torch.float64)
    for dilations, residual in blocks:
        h = x
        for d in dilations:
            h = F.conv2d(h, mean, padding=d, dilation=d)
        x = h + x if residual else h
    assert np.allclose(r, (x / x.sum())[0, 0].numpy(), rtol=0, atol=1e-15)


def test_lattice_share_checks() -> None:
    assert lattice_share(np.ones((5, 5)), 1) == 1.0
    assert lattice_share(np.ones((5, 5)), 2) == 9 / 25
    with pytest.raises(ValueError, match="R odd"):
        lattice_share(np.ones((4, 4)), 2)
    with pytest.raises(ValueError, match="non-negative"):
        lattice_share(-np.ones((3, 3)), 2)


# --- Transposed versus dilated ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stride, padding, dilation, k", [(1, 0, 1, 3), (2, 0, 1, 3), (2, 1, 1, 4), (3, 2, 2, 3), (1, 1, 3, 2)]
)
def test_conv_transpose_by_zero_insertion(stride: int, padding: int, dilation: int, k: int) -> None:
    g = torch.Generator().manual_seed(stride * 100 + padding * 10 + dilation)
    x = torch.randn(2, 3, 5, 6, generator=g, dtype=torch.float64)
    w = torch.randn(3, 4, k, k, generator=g, dtype=torch.float64)
    expected = F.conv_transpose2d(x, w, stride=stride, padding=padding, dilation=dilation)
    got = conv_transpose2d_by_zero_insertion(x, w, stride=stride, padding=padding, dilation=dilation)
    assert got.shape == expected.shape
    assert torch.allclose(got, expected, rtol=0, atol=1e-12)


def test_transposed_convolution_is_the_adjoint() -> None:
    """<conv2d(x), y> = <x, conv_transpose2d(y)> with the same stride and dilation: the gradient's operator."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 2, 11, 11, generator=g, dtype=torch.float64)
    w = torch.randn(3, 2, 3, 3, generator=g, dtype=torch.float64)
    y = torch.randn(1, 3, 4, 4, generator=g, dtype=torch.float64)
    forward = F.conv2d(x, w, stride=2, dilation=2)
    assert forward.shape == y.shape
    assert torch.allclose(
        (forward * y).sum(), (x * conv_transpose2d_by_zero_insertion(y, w, stride=2, dilation=2)).sum()
    )


def test_insert_zeros() -> None:
    x = torch.arange(1.0, 7.0).view(1, 1, 2, 3)
    z = insert_zeros(x, 3)
    assert z.shape == (1, 1, 4, 7) and torch.equal(z[..., ::3, ::3], x) and z.sum() == x.sum()
    assert torch.equal(insert_zeros(x, 1), x)
    with pytest.raises(ValueError, match="input"):
        insert_zeros(torch.ones(2, 3), 2)
    with pytest.raises(ValueError, match="padding"):
        conv_transpose2d_by_zero_insertion(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 3, 3), padding=3)


# --- DeepLab ------------------------------------------------------------------------------------------------


def test_multi_grid_and_hdc() -> None:
    assert multi_grid_rates(2) == (2, 4, 8) and multi_grid_rates(1, (1, 2, 1)) == (1, 2, 1)
    assert satisfies_hdc(multi_grid_rates(1)) and is_gridding_free(multi_grid_rates(1))
    for rate in (2, 4):
        assert not is_gridding_free(multi_grid_rates(rate))
    assert is_gridding_free((1, *multi_grid_rates(2))) and not is_gridding_free((1, *multi_grid_rates(4)))
    rates = cascade_rates()
    assert rates == (2, 4, 8, 4, 8, 16, 8, 16, 32, 16, 32, 64)
    assert count_holes(rates) > 0 and count_holes((1, *rates)) == 0


@pytest.mark.parametrize("c_in, c_out, k, size, dilation", [(8, 16, 3, 9, 1), (8, 4, 3, 9, 4), (6, 6, 5, 7, 2)])
def test_conv_cost_against_torch(c_in: int, c_out: int, k: int, size: int, dilation: int) -> None:
    from torch.utils.flop_counter import FlopCounterMode

    x = torch.randn(1, c_in, size, size)
    ordinary = nn.Conv2d(c_in, c_out, k, padding="same", dilation=dilation, bias=False)
    depthwise = nn.Conv2d(c_in, c_in, k, padding="same", dilation=dilation, groups=c_in, bias=False)
    pointwise = nn.Conv2d(c_in, c_out, 1, bias=False)
    for modules, separable in (([ordinary], False), ([depthwise, pointwise], True)):
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            h = x
            for m in modules:
                h = m(h)
        weights = sum(m.weight.numel() for m in modules)
        assert conv_cost(c_in, c_out, k, size, separable=separable) == (weights, counter.get_total_flops() // 2)


def test_conv_cost_checks() -> None:
    assert conv_cost(4, 8, 3, (2, 5), groups=4) == (8 * 1 * 9, 8 * 9 * 10)
    with pytest.raises(ValueError, match="groups"):
        conv_cost(4, 6, 3, 5, groups=4)
    with pytest.raises(TypeError, match="separable"):
        conv_cost(4, 4, 3, 5, separable=1)


# --- TCN ----------------------------------------------------------------------------------------------------


def test_tcn_is_causal_with_the_stated_field() -> None:
    torch.manual_seed(0)
    tcn = TCN(2, 3, channels=6, dilations=(1, 2, 4), kernel_size=3).double()
    assert tcn.receptive_field == 1 + 2 * 2 * 7 == receptive_fields([3] * 6, [1, 1, 2, 2, 4, 4])[-1]
    support = gradient_support(tcn, 80, channels=2, position=60)
    assert support.max() == 60 and support.min() >= 60 - tcn.receptive_field + 1
    x = torch.randn(1, 2, 80, dtype=torch.float64)
    x_new = x.clone()
    x_new[..., 50:] += 1.0
    assert torch.equal(tcn(x)[..., :50], tcn(x_new)[..., :50])


def test_echo_batch() -> None:
    x, y = echo_batch(3, 20, 5, generator=torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (3, 1, 20)
    assert torch.equal(y[..., 5:], x[..., :-5]) and not y[..., :5].any()
    with pytest.raises(ValueError, match="delay"):
        echo_batch(1, 5, 5)


def test_training_needs_the_field_to_reach_the_echo() -> None:
    torch.manual_seed(0)
    long = TCN(1, 1, channels=8, dilations=(1, 2, 4))  # field 29
    torch.manual_seed(0)
    short = TCN(1, 1, channels=8, dilations=(1, 1, 1))  # field 13
    delay = 16
    assert short.receptive_field <= delay < long.receptive_field
    long_losses = train_echo(long, delay=delay, steps=120, length=64)
    short_losses = train_echo(short, delay=delay, steps=120, length=64)
    assert np.mean(long_losses[-10:]) < 0.1 < 0.8 < np.mean(short_losses[-10:])


# --- Where the field sits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ks, ss, ps, ds",
    [
        ([3, 3, 3], [2, 2, 1], [0, 1, 1], [1, 1, 1]),
        ([3, 3, 3], [1, 2, 1], [0, 2, 2], [1, 2, 2]),
        ([7, 3], [2, 2], [3, 1], [1, 1]),
        ([4, 4], [2, 2], [1, 1], [1, 1]),
    ],
)
def test_field_geometry_by_gradient(ks: list[int], ss: list[int], ps: list[int], ds: list[int]) -> None:
    g = field_geometry(ks, ss, ps, ds)
    assert g.receptive_field == receptive_fields(ks, ds, ss)[-1] and g.effective_stride == math.prod(ss)
    model = conv1d_stack(ks, ss, ps, ds)
    length = 200
    out_length = model(torch.ones(1, 1, length, dtype=torch.float64)).shape[-1]
    for f in range(out_length):
        first, last = g.span(f)
        support = input_support(model, length, f)
        assert support.min() >= max(first, 0) and support.max() <= min(last, length - 1)
        if first >= 0 and last < length:  # inside the input, the gradient fills the span exactly
            assert np.array_equal(support, np.arange(first, last + 1))
            assert (support.min() + support.max()) / 2 == g.centre(f)


def test_field_geometry_checks() -> None:
    with pytest.raises(ValueError, match="strides"):
        field_geometry([3, 3], [1], [0, 0])
    with pytest.raises(ValueError, match="position"):
        input_support(conv1d_stack([3], [2], [0]), 10, 4)


# --- Checkers -----------------------------------------------------------------------------------------------


def plan(strides, output_stride):
    new, dilations, kept, removed = [], [], 1, 1
    for s in strides:
        dilations.append(removed)
        if kept * s <= output_stride:
            kept *= s
            new.append(s)
        else:
            removed *= s
            new.append(1)
    return new, dilations


def dilate_own_layer(strides, output_stride):  # a layer whose stride goes also dilates its own taps: wrong
    new, dilations = plan(strides, output_stride)
    return new, [d * (s // n) for d, s, n in zip(dilations, strides, new)]


def stub(*args):
    raise NotImplementedError


def raising(*args):
    return 1 / 0  # ZeroDivisionError's own text, "division by zero", is not a sentence the checker wrote


def right_centre(k, s, p, f):
    return field_geometry(k, s, p).centre(f)


def centre_without_padding(k, s, p, f):
    return f * math.prod(s) + (receptive_fields(k, [1] * len(k), s)[-1] - 1) / 2


def test_checkers_accept_right_answers_and_name_mistakes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_output_stride_plan(plan)
    assert capsys.readouterr().out.startswith("✓ plan")
    assert check_output_stride_plan(dilate_own_layer, quiet=True).mistake == "dilations"
    assert check_output_stride_plan(stub, quiet=True).mistake == "not_implemented"
    assert (
        check_separable_cost(lambda a, b, k, n: (a * k * k, a * k * k * n * n), quiet=True).mistake == "depthwise_only"
    )
    assert check_separable_cost(lambda a, b, k, n: 1 / 0, quiet=True).mistake == "raised"
    assert check_field_centre(right_centre)
    assert check_field_centre(centre_without_padding, quiet=True).mistake == "padding"


def separable(a, b, k, n):
    return conv_cost(a, b, k, n, separable=True)


IN_CHINESE = [
    (check_output_stride_plan, plan, None),
    (check_output_stride_plan, stub, "not_implemented"),
    (check_output_stride_plan, raising, "raised"),
    (check_output_stride_plan, dilate_own_layer, "dilations"),
    (check_output_stride_plan, lambda strides, os_: ([1] * len(strides), [1] * len(strides)), "output_stride"),
    (check_output_stride_plan, lambda strides, os_: 8, "shape"),
    (check_output_stride_plan, lambda strides, os_: ([os_], [1]), "shape"),
    (check_separable_cost, separable, None),
    (check_separable_cost, stub, "not_implemented"),
    (check_separable_cost, raising, "raised"),
    (check_separable_cost, lambda a, b, k, n: conv_cost(a, b, k, n), "ordinary"),
    (check_separable_cost, lambda a, b, k, n: (a * k * k, a * k * k * n * n), "depthwise_only"),
    (check_separable_cost, lambda a, b, k, n: (separable(a, b, k, n)[0],) * 2, "positions"),
    (check_separable_cost, lambda a, b, k, n: (1, 1), "values"),
    (check_separable_cost, lambda a, b, k, n: 67840, "shape"),
    (check_field_centre, right_centre, None),
    (check_field_centre, stub, "not_implemented"),
    (check_field_centre, raising, "raised"),
    (check_field_centre, centre_without_padding, "padding"),
    (check_field_centre, lambda k, s, p, f: f * math.prod(s), "padding"),
    (check_field_centre, lambda k, s, p, f: -1.0, "values"),
]


@pytest.mark.parametrize("checker, answer, mistake", IN_CHINESE)
def test_checkers_give_the_same_verdict_in_chinese(
    checker: Callable[..., Any], answer: Callable[..., Any], mistake: str | None
) -> None:
    verdict_in_chinese(checker, answer, mistake)
