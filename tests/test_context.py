"""The context module (Yu & Koltun 2016, Table 1), its identity initialisation, the baselines and the task."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dilconv_lib.context import (
    DILATIONS,
    LARGE_NOISE,
    LARGE_WIDTHS,
    ContextModule,
    DilatedStack,
    PlainStack,
    PoolingNet,
    conv_outputs,
    identity_kernel,
    multiply_adds,
    stored_results,
)
from dilconv_lib.geometry import receptive_fields
from dilconv_lib.receptive import receptive_field_by_gradient


def weights_and_biases(module: nn.Module) -> tuple[int, int]:
    return sum(c.weight.numel() for c in module.convs), sum(c.bias.numel() for c in module.convs)


def positive_weights(module: nn.Module) -> nn.Module:
    """Every weight 1/fan-in, every bias 0: no path cancels and no ReLU is off on a positive input."""
    with torch.no_grad():
        for conv in module.convs:
            conv.weight.fill_(1.0 / conv.weight[0].numel())
            conv.bias.zero_()
    return module


# --- the module's shape and design -------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["basic", "large"])
@pytest.mark.parametrize(("n", "height", "width"), [(1, 64, 64), (2, 17, 9), (1, 1, 1), (3, 5, 40), (0, 8, 8)])
def test_shape_is_kept(variant: str, n: int, height: int, width: int) -> None:
    c = 2
    x = torch.rand(n, c, height, width)
    assert ContextModule(c, variant)(x).shape == (n, c, height, width)
    assert ContextModule(c, variant, init="default")(x).shape == (n, c, height, width)


@pytest.mark.parametrize(("height", "width"), [(64, 64), (3, 30), (1, 1)])
def test_plain_stack_keeps_the_shape(height: int, width: int) -> None:
    assert PlainStack(3)(torch.rand(2, 3, height, width)).shape == (2, 3, height, width)


@pytest.mark.parametrize(("height", "width"), [(64, 64), (8, 16), (24, 64)])
def test_pooling_net_keeps_the_shape(height: int, width: int) -> None:
    assert PoolingNet(3)(torch.rand(2, 3, height, width)).shape == (2, 3, height, width)


def test_table_1() -> None:
    m = ContextModule(5)
    assert m.dilations == DILATIONS == (1, 1, 2, 4, 8, 16, 1, 1)
    assert isinstance(m.dilations, tuple)
    assert [c.dilation for c in m.convs] == [(d, d) for d in DILATIONS]
    assert [c.kernel_size for c in m.convs] == [(3, 3)] * 7 + [(1, 1)]
    assert [c.padding for c in m.convs] == [(d, d) for d in (1, 1, 2, 4, 8, 16, 1)] + [(0, 0)]
    assert m.relu_after == (True,) * 7 + (False,)
    assert m.layer_receptive_fields() == receptive_fields([3] * 7 + [1], DILATIONS) == [3, 5, 9, 17, 33, 65, 67, 67]
    assert LARGE_WIDTHS == (2, 2, 4, 8, 16, 32, 32, 1)
    assert ContextModule(5, "large").widths == (10, 10, 20, 40, 80, 160, 160, 5)
    assert ContextModule(5).widths == (5,) * 8


@pytest.mark.parametrize("c", [1, 2, 3, 5])
def test_parameter_counts(c: int) -> None:
    assert weights_and_biases(ContextModule(c, "basic")) == (64 * c**2, 8 * c)
    assert weights_and_biases(ContextModule(c, "large")) == (15422 * c**2, 97 * c)
    assert weights_and_biases(PlainStack(c)) == (64 * c**2, 8 * c)
    assert weights_and_biases(PoolingNet(c)) == (64 * c**2, 8 * c)
    # no parameters outside the convolutions
    assert sum(p.numel() for p in ContextModule(c, "large").parameters()) == 15422 * c**2 + 97 * c


def test_the_relus_follow_table_1() -> None:
    # at identity init the last layer is linear: a negative input comes out as ReLU(input), not clipped twice
    x = torch.randn(2, 3, 12, 12)
    assert torch.equal(ContextModule(3)(x), F.relu(x))
    m = ContextModule(3)
    with torch.no_grad():
        m.convs[-1].weight.mul_(-1.0)
    assert torch.equal(m(x.abs()), -x.abs())  # no ReLU after layer 8


# --- receptive fields ----------------------------------------------------------------------------------------


def test_receptive_field_by_gradient() -> None:
    assert receptive_field_by_gradient(positive_weights(ContextModule(2)), 80, channels=2) == (67, 67)
    assert receptive_field_by_gradient(positive_weights(PlainStack(2)), 40, channels=2) == (15, 15)
    # at identity init one pixel only: the effective field before training
    assert receptive_field_by_gradient(ContextModule(2), 80, channels=2) == (1, 1)


def test_receptive_field_of_the_large_module() -> None:
    assert receptive_field_by_gradient(positive_weights(ContextModule(1, "large")), 72, channels=1) == (67, 67)


def test_pooling_net_field() -> None:
    net = PoolingNet(2)
    conv_pool = [3, 2, 3, 2, 3, 2, 3, 3, 3]  # conv 1, pool, conv 2, pool, conv 3, pool, convs 4 to 6
    strides = [1, 2, 1, 2, 1, 2, 1, 1, 1]
    assert net.coarse_receptive_field == receptive_fields(conv_pool, [1] * 9, strides)[-1]
    assert net.coarse_receptive_field == 70


# --- identity initialisation ------------------------------------------------------------------------------


@pytest.mark.parametrize("c", [1, 3, 21])
def test_basic_identity_passes_a_non_negative_input(c: int) -> None:
    x = torch.rand(2, c, 20, 24)
    assert torch.equal(ContextModule(c)(x), x)
    assert torch.equal(PlainStack(c)(x), x)


def test_basic_identity_is_eq_4() -> None:
    for conv in ContextModule(4).convs:
        k = conv.kernel_size[0]
        expected = torch.zeros_like(conv.weight)
        expected[range(4), range(4), k // 2, k // 2] = 1.0
        assert torch.equal(conv.weight, expected)
        assert not conv.bias.any()


@pytest.mark.parametrize("c", [1, 2, 3])
def test_large_identity_passes_the_input_within_the_noise(c: int) -> None:
    x = torch.rand(2, c, 24, 24)
    assert torch.allclose(ContextModule(c, "large", noise=0.0)(x), x, atol=1e-5)
    torch.manual_seed(0)
    noisy = ContextModule(c, "large")
    deviation = ((noisy(x) - x).norm() / x.norm()).item()
    assert 0 < deviation < 0.05


def test_large_noise_is_small_and_seeded() -> None:
    c = 2
    torch.manual_seed(1)
    a = ContextModule(c, "large")
    torch.manual_seed(1)
    b = ContextModule(c, "large")
    for conv_a, conv_b in zip(a.convs, b.convs):
        assert torch.equal(conv_a.weight, conv_b.weight)
    generator = torch.Generator().manual_seed(7)
    g1 = ContextModule(c, "large", generator=generator)
    g2 = ContextModule(c, "large", generator=torch.Generator().manual_seed(7))
    assert torch.equal(g1.convs[3].weight, g2.convs[3].weight)
    # off the group-identity entries the weights are noise of standard deviation LARGE_NOISE * C / c_out
    conv = a.convs[6]  # 64 -> 64 channels, C = 2
    clean = identity_kernel(conv.in_channels, conv.out_channels, 3, c)
    noise = (conv.weight - clean)[clean == 0]
    sigma = LARGE_NOISE * c / conv.out_channels
    assert 0.9 * sigma < noise.std().item() < 1.1 * sigma
    assert torch.equal(conv.weight[clean != 0], clean[clean != 0])  # the group entries are exact


def test_identity_kernel_eq_4_and_eq_5() -> None:
    assert torch.equal(identity_kernel(3, 3, 3, 3)[:, :, 1, 1], torch.eye(3))
    assert identity_kernel(3, 3, 3, 3).abs().sum() == 3
    w = identity_kernel(2, 4, 1, 2)[:, :, 0, 0]  # (4, 2)
    assert torch.equal(w, torch.tensor([[0.5, 0.0], [0.5, 0.0], [0.0, 0.5], [0.0, 0.5]]))
    w = identity_kernel(8, 2, 1, 2)[:, :, 0, 0]  # back to C: weight C / c_out = 1 on each group of 4
    assert torch.equal(w, torch.tensor([[1.0] * 4 + [0.0] * 4, [0.0] * 4 + [1.0] * 4]))
    # chained over the Large widths, the centre taps give the identity
    c = 3
    widths = [c] + [f * c for f in LARGE_WIDTHS]
    chain = torch.eye(c, dtype=torch.float64)
    for c_in, c_out in zip(widths, widths[1:]):
        chain = identity_kernel(c_in, c_out, 1, c)[:, :, 0, 0].double() @ chain
    assert torch.allclose(chain, torch.eye(c, dtype=torch.float64))


def test_default_init_is_pytorchs() -> None:
    torch.manual_seed(3)
    m = ContextModule(2, init="default")
    torch.manual_seed(3)
    reference = [nn.Conv2d(2, 2, k, dilation=d, padding=d * (k - 1) // 2) for k, d in zip([3] * 7 + [1], DILATIONS)]
    for conv, ref in zip(m.convs, reference):
        assert torch.equal(conv.weight, ref.weight) and torch.equal(conv.bias, ref.bias)


# --- bad arguments -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"channels": 0}, ValueError, "channels"),
        ({"channels": -2}, ValueError, "channels"),
        ({"channels": 2.0}, TypeError, "channels"),
        ({"channels": True}, TypeError, "channels"),
        ({"channels": "4"}, TypeError, "channels"),
        ({"channels": 2, "variant": "medium"}, ValueError, "variant"),
        ({"channels": 2, "variant": None}, TypeError, "variant"),
        ({"channels": 2, "init": "zeros"}, ValueError, "init"),
        ({"channels": 2, "init": 0}, TypeError, "init"),
        ({"channels": 2, "variant": "large", "noise": -1.0}, ValueError, "noise"),
        ({"channels": 2, "noise": "small"}, TypeError, "noise"),
    ],
)
def test_context_module_bad_arguments(kwargs: dict, error: type[Exception], name: str) -> None:
    with pytest.raises(error, match=name):
        ContextModule(**kwargs)


def test_baselines_bad_arguments() -> None:
    with pytest.raises(ValueError, match="channels"):
        PlainStack(0)
    with pytest.raises(ValueError, match="init"):
        PoolingNet(2, init="eye")
    with pytest.raises(ValueError, match="multiples of 8"):
        PoolingNet(2)(torch.rand(1, 2, 20, 16))


@pytest.mark.parametrize("model", [ContextModule(3), PlainStack(3), PoolingNet(3)])
def test_bad_input(model: nn.Module) -> None:
    with pytest.raises(ValueError, match="input must have 3 channels"):
        model(torch.rand(1, 2, 16, 16))
    with pytest.raises(ValueError, match=r"input must have 4 dimensions"):
        model(torch.rand(3, 16, 16))
    with pytest.raises(TypeError, match="input"):
        model([[1.0]])


def test_identity_kernel_bad_arguments() -> None:
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        identity_kernel(2, 2, 2, 2)
    with pytest.raises(ValueError, match="out_channels must be a multiple of channels"):
        identity_kernel(2, 3, 3, 2)
    with pytest.raises(ValueError, match="in_channels"):
        identity_kernel(0, 2, 3, 2)


def test_he_init_has_he_variance_and_zero_biases() -> None:
    torch.manual_seed(0)
    module = ContextModule(8, init="he")
    for conv in module.convs:
        fan_in = conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]
        assert not conv.bias.any()
        assert abs(conv.weight.var().item() * fan_in / 2 - 1) < 0.35  # variance 2 / fan_in
    assert PlainStack(2, init="he").init == "he" and PoolingNet(2, init="he").init == "he"


def test_pooling_skip_adds_the_first_layers_full_resolution_output() -> None:
    plain, skip = PoolingNet(2), PoolingNet(2, skip=True)
    assert sum(p.numel() for p in skip.parameters()) == sum(p.numel() for p in plain.parameters())
    x = torch.rand(1, 2, 16, 16)
    coarse = F.interpolate(F.max_pool2d(F.max_pool2d(F.max_pool2d(x, 2), 2), 2), size=(16, 16), mode="bilinear")
    assert torch.allclose(plain(x), coarse, atol=1e-6)  # identity init: pooled and upsampled
    assert torch.allclose(skip(x), coarse + x, atol=1e-6)  # ... plus the skip
    with pytest.raises(TypeError, match="skip"):
        PoolingNet(2, skip=1)  # type: ignore[arg-type]


def test_multiply_adds_and_conv_outputs() -> None:
    c = 3
    assert multiply_adds(ContextModule(c), 64, 64, c) == 64 * c**2 * 64 * 64
    per_pixel = [9 * c * c] * 7 + [c * c]
    sizes = [64 * 64, 32 * 32, 16 * 16, 8 * 8, 8 * 8, 8 * 8, 64 * 64, 64 * 64]
    assert multiply_adds(PoolingNet(c), 64, 64, c) == sum(a * b for a, b in zip(per_pixel, sizes))
    outs = conv_outputs(PoolingNet(c), torch.rand(2, c, 64, 64))
    assert [tuple(o.shape[-2:]) for o in outs] == [
        (64, 64),
        (32, 32),
        (16, 16),
        (8, 8),
        (8, 8),
        (8, 8),
        (64, 64),
        (64, 64),
    ]
    with pytest.raises(ValueError, match="model"):
        conv_outputs(torch.nn.ReLU(), torch.rand(1, 1, 4, 4))


# --- DilatedStack: the module with other rates (notebook 06, section 5) ------------------------------------------


def test_dilated_stack_with_table_1_rates_is_the_basic_module() -> None:
    torch.manual_seed(0)
    stack, module = DilatedStack(3, DILATIONS[:-1], init="default"), ContextModule(3)
    assert stack.dilations == module.dilations and stack.kernel_sizes == module.kernel_sizes
    assert stack.relu_after == module.relu_after
    module.load_state_dict(stack.state_dict())
    x = torch.randn(2, 3, 20, 20, dtype=torch.float64)
    assert torch.allclose(stack.double()(x), module.double()(x))


def test_dilated_stack_with_even_rates_sees_only_even_offsets() -> None:
    stack = positive_weights(DilatedStack(1, (2, 2, 2, 4, 8, 16, 2)))
    x = torch.ones(1, 1, 129, 129, requires_grad=True)
    stack(x)[0, 0, 64, 64].backward()
    reached = x.grad[0, 0].nonzero() - 64  # (offsets, 2)
    assert (reached % 2 == 0).all() and len(reached) == 37**2  # every even offset in -72..72
    degridded = positive_weights(DilatedStack(1, (2, 2, 2, 4, 8, 16, 2, 1, 1)))
    x = torch.ones(1, 1, 129, 129, requires_grad=True)
    degridded(x)[0, 0, 64, 64].backward()
    assert (x.grad[0, 0] > 0).sum() == 77**2  # no hole left


def test_dilated_stack_bad_input() -> None:
    with pytest.raises(TypeError, match="dilations"):
        DilatedStack(2, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dilations"):
        DilatedStack(2, (1, 0))
    with pytest.raises(ValueError, match="dilations"):
        DilatedStack(2, ())


# --- the stored experiment (make experiments) and notebook 06's live seed ---------------------------------------


def test_stored_results_have_provenance_seeds_and_consistent_summaries() -> None:
    results = stored_results()
    provenance, settings = results["provenance"], results["settings"]
    for key in ("git_commit", "date_utc", "wall_seconds", "cpu_model", "cpu_cores", "note"):
        assert provenance[key] not in (None, "")
    assert len(settings["seeds"]) >= 3 and len(settings["live_seeds"]) >= 3
    assert settings["longer_steps"] > settings["steps"]
    for name, scores_by_lr in results["sweep"].items():
        assert results["chosen_lr"][name] == float(max(scores_by_lr, key=lambda lr: scores_by_lr[lr]))
    for group in ("main", "gridding", "longer", "live"):
        for name, entry in results[group].items():
            seeds = {"longer": "longer_seeds", "live": "live_seeds"}.get(group, "seeds")
            assert [run["seed"] for run in entry["runs"]] == settings[seeds]
            assert entry["lr"] == results["chosen_lr"][name]
            for metric, summary in entry["summary"].items():
                values = [run[metric] for run in entry["runs"]]
                assert summary["min"] == pytest.approx(min(values)) and summary["max"] == pytest.approx(max(values))
                assert summary["mean"] == pytest.approx(sum(values) / len(values), abs=1e-4)
    assert set(results["main"]) == {
        "context module",
        "plain stack",
        "pooling network",
        "pooling + skip",
        "default init",
        "He init",
    }
    assert all("missed" in entry["summary"] for entry in results["gridding"].values())


def test_notebook_live_seed_lies_in_the_stored_spread() -> None:
    """The stored output of notebook 06's live cell, against the results file, with its documented tolerance."""
    import re
    from pathlib import Path

    import nbformat

    notebook = nbformat.read(Path(__file__).parent.parent / "notebooks" / "06_context_module.ipynb", 4)
    (cell,) = [c for c in notebook.cells if c.get("id") == "06-live"]
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    results = stored_results()
    tolerance = results["settings"]["tolerance"]
    found = dict(re.findall(r"^(context module|plain stack)\s+seed 0, \d+ steps: out of sight ([\d.]+)%", text, re.M))
    assert set(found) == {"context module", "plain stack"}, text
    for name, percent in found.items():
        spread = results["live"][name]["summary"]["out_of_sight"]
        assert spread["min"] - tolerance <= float(percent) / 100 <= spread["max"] + tolerance, (name, percent, spread)
