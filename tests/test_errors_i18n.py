"""The library's argument errors in the learner's language: the same errors, named arguments, no English sentence.

Every message an argument check raises is a template shown through :func:`dilconv_lib.i18n.tr`
(``dilconv_lib/locale/zh/checks.yml``, ``geometry.yml``, ``errors.yml``). In Chinese each bad call must still
raise the same exception type, name the offending argument by its English name (the name the learner typed),
print the same numbers in the same order as the English, and hold no English sentence. The English messages
themselves are pinned by tests/test_bad_input.py, test_geometry.py and the modules' doctests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import torch

from dilconv_lib import (
    accelerated,
    backbone,
    backward,
    beyond,
    checks,
    context,
    geometry,
    i18n,
    practice,
    receptive,
    tasks,
)
from tests.cases import BAD_CALLS, Backend, BadCall, backend_params

# four English words in a row, as tests/test_i18n_catalogue.py counts them
ENGLISH_PROSE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b")
# not prose: code in backticks, reprs and quoted strings ('same'), NumPy's own words quoted (“...”), <class 'list'>
QUOTED = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|“[^”]*”|<[^<>]*>")

# BAD_CALLS' words that are not the argument's name: their Chinese is matched instead
ZH_WORDS = {"channels": "通道", "axis 1": "空间轴 1"}


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language(None)


def english_sentence(message: str) -> str | None:
    """The first run of four English words in ``message`` outside code, quotes and reprs; None where none."""
    m = ENGLISH_PROSE.search(QUOTED.sub(" ", message))
    return m.group(0) if m else None


def numbers(message: str) -> list[str]:
    return re.findall(r"\d+", message)


def raised(call: Callable[[], Any], error: type[Exception], lang: str) -> str:
    """The message of ``error`` that ``call`` raises in ``lang``."""
    i18n.set_language(lang)
    try:
        with pytest.raises(error) as info:
            call()
    finally:
        i18n.set_language(None)
    return str(info.value)


def assert_translated(call: Callable[[], Any], error: type[Exception], name: str) -> None:
    english = raised(call, error, "en")
    chinese = raised(call, error, "zh")
    assert chinese != english, f"not translated: {english!r}"
    assert name in chinese, f"{chinese!r} does not name {name!r}"
    assert english_sentence(chinese) is None, f"English in {chinese!r}: {english_sentence(chinese)!r}"
    assert numbers(chinese) == numbers(english), f"{chinese!r} and {english!r} print different numbers"


def test_the_detector_finds_english() -> None:
    assert english_sentence("weight has 2 input channels per group") == "input channels per group"
    assert (
        english_sentence("padding must be an int, a tuple, 'valid' or 'same', got 'full'") == "padding must be an int"
    )
    assert english_sentence("padding 必须是 int、元组、'valid' 或 'same'，实际为 'full'") is None
    assert (
        english_sentence("input 必须是数值数组，NumPy 无法转换它：“setting an array element with a sequence”") is None
    )


@pytest.mark.parametrize("backend, call", backend_params(BAD_CALLS))
def test_bad_calls_in_chinese(backend: Backend, call: BadCall) -> None:
    conv = backend.conv(call.n_spatial)
    assert_translated(lambda: conv(*call.args, **call.kwargs), call.error, ZH_WORDS.get(call.words, call.words))


# (id, the bad call, the error, the argument's name the message must hold): the checks outside the conv calls
OTHER_CALLS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    # checks.py
    ("real_bound", lambda: checks.check_real(0, "lr", above=0), ValueError, "lr"),
    ("real_type", lambda: checks.check_real("0.1", "lr", above=0), TypeError, "lr"),
    ("real_two_bounds", lambda: checks.check_real(2, "mass", above=0, maximum=1), ValueError, "mass"),
    ("real_nan", lambda: checks.check_real(float("nan"), "mass", above=0, maximum=1), ValueError, "mass"),
    ("real_no_bound", lambda: checks.check_real(None, "noise"), TypeError, "noise"),
    ("real_minimum", lambda: checks.check_real(-1, "noise", minimum=0), ValueError, "noise"),
    ("ints_empty", lambda: checks.check_ints([], "dilations"), ValueError, "dilations"),
    ("ints_length", lambda: checks.check_ints([1, 2], "unit_rates", length=3), ValueError, "unit_rates"),
    ("ints_scalar", lambda: checks.check_ints(4, "dilations"), TypeError, "dilations"),
    ("bool", lambda: checks.check_bool("yes", "cached"), TypeError, "cached"),
    ("choice", lambda: checks.check_choice("huge", "variant", ("basic", "large")), ValueError, "variant"),
    ("choice_type", lambda: checks.check_choice(3, "variant", ("basic", "large")), TypeError, "variant"),
    ("feature_map_type", lambda: checks.check_feature_map(np.ones((1, 3, 4, 4)), 3), TypeError, "input"),
    ("feature_map_ndim", lambda: checks.check_feature_map(torch.ones(3, 8, 8), 3), ValueError, "input"),
    ("feature_map_channels", lambda: checks.check_feature_map(torch.ones(2, 4, 16), 3, "NCL"), ValueError, "input"),
    (
        "tensors_dtype",
        lambda: checks.check_tensors(torch.ones(1, 4), torch.ones(1, 1, 2, dtype=torch.float64), None),
        TypeError,
        "weight",
    ),
    (
        "tensors_int",
        lambda: checks.check_tensors(torch.ones(1, 4, dtype=torch.int64), torch.ones(1, 1, 2), None),
        TypeError,
        "input",
    ),
    # geometry.py
    ("output_size_fits", lambda: geometry.output_size(3, 3, dilation=2), ValueError, "kernel_size"),
    ("fields_dilations", lambda: geometry.receptive_fields([3, 3], [1]), ValueError, "dilations"),
    ("fields_strides", lambda: geometry.receptive_fields([3], [1], [1, 2]), ValueError, "strides"),
    ("as_2d", lambda: geometry.conv_geometry((1, 1, 5, 5), (1, 1, 3, 3)).as_2d(), ValueError, "as_2d"),
    # accelerated.py
    (
        "unfold_shape",
        lambda: accelerated.unfold(torch.ones(1, 1, 4, 4), geometry.conv_geometry((1, 1, 5, 5), (1, 1, 3, 3))),
        ValueError,
        "x",
    ),
    # backward.py
    ("grad_bias_ndim", lambda: backward.conv2d_grad_bias(np.ones((2, 3))), ValueError, "grad_output"),
    (
        "grad_input_shape",
        lambda: backward.conv2d_grad_input(np.ones((1, 1, 2, 2)), np.ones((1, 1, 1, 3)), (1, 1, 5, 5)),
        ValueError,
        "grad_output",
    ),
    # receptive.py
    ("stack_kernels", lambda: receptive.impulse_response([1, 2], kernel_size=[3]), ValueError, "kernel_size"),
    ("stack_strides", lambda: receptive.impulse_response([1, 2], strides=[1]), ValueError, "strides"),
    ("hdc_group", lambda: receptive.satisfies_hdc([2]), ValueError, "dilations"),
    ("offsets_even", lambda: receptive.reached_offsets([1, 2], kernel_size=2), ValueError, "kernel_size"),
    ("stack_init", lambda: receptive.conv_stack([1], init="zeros"), ValueError, "init"),  # type: ignore[arg-type]
    (
        "stack_identity_even",
        lambda: receptive.conv_stack([1], kernel_size=2, init="identity"),
        ValueError,
        "kernel_size",
    ),
    ("gradient_input", lambda: receptive.input_gradient(torch.nn.Identity(), [1.0]), ValueError, "input"),  # type: ignore[arg-type]
    ("erf_ndim", lambda: receptive.erf_size(np.ones(3)), ValueError, "erf"),
    ("erf_negative", lambda: receptive.erf_size(-np.ones((3, 3))), ValueError, "erf"),
    # context.py
    ("identity_even", lambda: context.identity_kernel(2, 2, 2, 2), ValueError, "kernel_size"),
    ("identity_widths", lambda: context.identity_kernel(3, 2, 3, 2), ValueError, "in_channels"),
    ("pooling_size", lambda: context.PoolingNet(1)(torch.ones(1, 1, 12, 12)), ValueError, "input"),
    ("no_convs", lambda: context.conv_outputs(torch.nn.Identity(), torch.ones(1, 1, 4, 4)), ValueError, "model"),
    # beyond.py
    ("causal_ndim", lambda: beyond.causal_conv1d(torch.ones(4), torch.ones(1, 1, 2)), ValueError, "input"),
    ("causal_weight", lambda: beyond.causal_conv1d(torch.ones(1, 4), torch.ones(1, 2)), ValueError, "weight"),
    ("max_dilation", lambda: beyond.wavenet_dilations(max_dilation=3), ValueError, "max_dilation"),
    ("aspp_pooling_type", lambda: beyond.ASPP(2, 2, image_pooling=1), TypeError, "image_pooling"),  # type: ignore[arg-type]
    ("aspp_v2_pooling", lambda: beyond.ASPP(2, 2, variant="v2", image_pooling=True), ValueError, "image_pooling"),
    ("generate_stack", lambda: beyond.generate(None, torch.ones(1, 1), 1), TypeError, "stack"),  # type: ignore[arg-type]
    ("taps_even", lambda: beyond.valid_tap_counts(8, 2, kernel_size=2), ValueError, "kernel_size"),
    ("support_position", lambda: beyond.gradient_support(torch.nn.Identity(), 4, position=4), ValueError, "position"),
    # tasks.py
    ("render_centres", lambda: tasks.render(torch.ones(1, 2), torch.ones(1), torch.ones(1), 4), ValueError, "centres"),
    (
        "render_inside",
        lambda: tasks.render(torch.zeros(1, 1, 2), torch.ones(1, 1), torch.ones(1, 1), 4),
        ValueError,
        "centres",
    ),
    (
        "render_classes",
        lambda: tasks.render(torch.full((1, 1, 2), 30), torch.ones(1, 1), torch.full((1, 1), 9), 4),
        ValueError,
        "object_classes",
    ),
    ("iou_shapes", lambda: tasks.mean_iou(torch.zeros(2, 2), torch.zeros(2, 3), 2), ValueError, "prediction"),
    ("rgb_shape", lambda: tasks.input_rgb(torch.zeros(4, 4)), ValueError, "image"),
    # practice.py
    ("blocks_empty", lambda: practice.block_response([]), ValueError, "blocks"),
    ("blocks_pair", lambda: practice.block_response([(1, 2, 3)]), ValueError, "blocks[0]"),  # type: ignore[list-item]
    ("lattice_square", lambda: practice.lattice_share(np.ones((2, 3)), 2), ValueError, "response"),
    ("lattice_negative", lambda: practice.lattice_share(-np.ones((3, 3)), 2), ValueError, "response"),
    ("zeros_input", lambda: practice.insert_zeros(torch.ones(3), 2), ValueError, "input"),
    (
        "transposed_padding",
        lambda: practice.conv_transpose2d_by_zero_insertion(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 3, 3), padding=3),
        ValueError,
        "padding",
    ),
    ("cost_groups", lambda: practice.conv_cost(3, 4, 3, 8, groups=2), ValueError, "groups"),
    ("echo_delay", lambda: practice.echo_batch(1, 4, 4), ValueError, "delay"),
    # backbone.py
    ("output_stride", lambda: backbone.replace_stride_with_dilation(2), ValueError, "output_stride"),
    (
        "layer_groups",
        lambda: backbone.LayerSpec("conv", 3, in_channels=3, out_channels=4, groups=2),
        ValueError,
        "groups",
    ),
    (
        "dilation_flags",
        lambda: backbone.resnet_layers(replace_stride_with_dilation=(True, False)),
        ValueError,
        "replace_stride_with_dilation",
    ),
    ("layers_empty", lambda: backbone.stage_rows([], 32), ValueError, "layers"),
    ("layers_items", lambda: backbone.stage_rows(["conv"], 32), TypeError, "layers"),  # type: ignore[list-item]
]


@pytest.mark.parametrize("call, error, name", [pytest.param(*c[1:], id=c[0]) for c in OTHER_CALLS])
def test_other_checks_in_chinese(call: Callable[[], Any], error: type[Exception], name: str) -> None:
    assert_translated(call, error, name)


def test_a_chinese_message_reads_as_chinese(chinese: None) -> None:
    # the message notebook 03 prints, word for word
    with pytest.raises(ValueError) as info:
        geometry.conv_geometry((1, 1, 4, 4), (1, 1, 2, 2), dilation=4)
    assert str(info.value) == (
        "weight：膨胀后的卷积核跨越 5（k=2，dilation=4，沿空间轴 0），超过了填充后输入的 4（输入 4 + 填充 0）"
    )


def test_english_is_unchanged_after_chinese(chinese: None) -> None:
    i18n.set_language("en")
    with pytest.raises(ValueError, match=r"^padding must be an int, a tuple, 'valid' or 'same', got 'full'$"):
        geometry.conv_geometry((1, 1, 4, 4), (1, 1, 2, 2), padding="full")
