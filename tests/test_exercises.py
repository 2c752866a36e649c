"""The exercise checkers accept right answers and name each usual mistake in a wrong one.

The wrong answers are written the way a learner would write them: loops whose output size follows
from the same mistake as their taps, so shape and values go wrong together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from dilconv_lib import effective_kernel_size, naive, output_size
from dilconv_lib.exercises import (
    Verdict,
    check_aspp_v2,
    check_causal_dilations,
    check_conv1d,
    check_conv2d,
    check_effective_kernel_size,
    check_output_size,
    check_queue_step,
    check_valid_share,
)
from dilconv_lib.exercises.loops import (
    CONV1D_CASES,
    CONV2D_CASES,
)
from dilconv_lib.exercises.sequence import (
    SHARE_CASES,
    SHARE_MISTAKES,
)
from dilconv_lib.exercises.sizes import (
    KERNEL_CASES,
    KERNEL_MISTAKES,
    SIZE_CASES,
    SIZE_MISTAKES,
)
from tests.verdicts import verdict_in_chinese

# --- output size -------------------------------------------------------------------------------------


def size_fn(
    *, read: Callable[[int], int] = lambda d: d, sides: int = 2, use_stride: bool = True, plus: int = 1
) -> Callable[..., int]:
    """A learner's output size with knobs: the dilation as read, padding sides counted, the stride, the + 1."""

    def my_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
        return (size + sides * padding - read(dilation) * (kernel_size - 1) - 1) // (stride if use_stride else 1) + plus

    return my_output_size


def test_size_accepts_the_formula() -> None:
    def my_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
        return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1

    verdict = check_output_size(my_output_size, quiet=True)
    assert verdict and verdict.ok and verdict.mistake is None
    assert verdict.message == "✓ my_output_size is right on all 10 cases (dilations 1 to 16, padding and stride)."


def test_size_accepts_numpy_integers() -> None:
    assert check_output_size(lambda *a, **kw: np.int64(output_size(*a, **kw)), quiet=True)


def test_size_prints_unless_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    verdict = check_output_size(output_size)
    assert capsys.readouterr().out == verdict.message + "\n"
    check_output_size(output_size, quiet=True)
    assert capsys.readouterr().out == ""


WRONG_SIZES: list[tuple[str, Callable[..., Any], str]] = [
    ("dilation_gaps", size_fn(read=lambda d: d + 1), "dilation + 1"),
    ("dilation_minus_one", size_fn(read=lambda d: d - 1), "dilation - 1"),
    ("dilation_ignored", size_fn(read=lambda d: 1), "dilation is ignored"),
    (
        "kernel_times_dilation",
        lambda size, kernel_size, stride=1, padding=0, dilation=1: (
            (size + 2 * padding - kernel_size * dilation) // stride + 1
        ),
        "not k*d",
    ),
    (
        "kernel_no_plus_one",
        lambda size, kernel_size, stride=1, padding=0, dilation=1: (
            (size + 2 * padding - dilation * (kernel_size - 1)) // stride + 1
        ),
        "one pixel short",
    ),
    ("padding_once", size_fn(sides=1), "padding is counted once"),
    ("padding_ignored", size_fn(sides=0), "padding is ignored"),
    ("stride_ignored", size_fn(use_stride=False), "stride is ignored"),
    ("no_plus_one", size_fn(plus=0), "+ 1 is missing"),
    (
        "ceil",
        lambda size, kernel_size, stride=1, padding=0, dilation=1: (
            -(-(size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride) + 1
        ),
        "rounded up",
    ),
]


@pytest.mark.parametrize(("mistake", "fn", "words"), WRONG_SIZES, ids=[w[0] for w in WRONG_SIZES])
def test_size_names_the_mistake(mistake: str, fn: Callable[..., Any], words: str) -> None:
    verdict = check_output_size(fn, quiet=True)
    assert not verdict
    assert verdict.mistake == mistake
    assert words in verdict.message
    assert "returned" in verdict.message and "expected" in verdict.message


def test_every_size_mistake_is_tested_and_distinguishable() -> None:
    assert [m.key for m in SIZE_MISTAKES] == [w[0] for w in WRONG_SIZES]
    answers = [tuple(m.answer(*case) for case in SIZE_CASES) for m in SIZE_MISTAKES]
    right = tuple(output_size(i, k, stride=s, padding=p, dilation=d) for i, k, s, p, d in SIZE_CASES)
    assert len(set(answers)) == len(answers) and right not in answers


def true_division(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1


def always_four(size, kernel_size, **kwargs):
    return 4


def divides_by_zero(size, kernel_size, stride=1, padding=0, dilation=1):
    return size // 0


# (mistake, a learner's output size that is wrong in another way than SIZE_MISTAKES')
OTHER_SIZES = [("not_an_int", true_division), ("values", always_four), ("raised", divides_by_zero)]


def test_size_float_is_not_an_int() -> None:
    verdict = check_output_size(true_division, quiet=True)
    assert verdict.mistake == "not_an_int"
    assert "use // (floor division)" in verdict.message and "(float)" in verdict.message


def test_size_unknown_mistake_shows_the_formula() -> None:
    verdict = check_output_size(always_four, quiet=True)
    assert verdict.mistake == "values"
    assert "returned 4; expected 5" in verdict.message  # the first case whose answer is not 4
    assert "floor((i + 2p - d(k - 1) - 1) / s) + 1 = floor((7 + 0 - 2 - 1) / 1) + 1 = 5." in verdict.message


def test_size_reports_an_exception() -> None:
    verdict = check_output_size(divides_by_zero, quiet=True)
    assert verdict.mistake == "raised"
    assert "divides_by_zero(7, 3, stride=1, padding=0, dilation=1):" in verdict.message
    assert "It raised ZeroDivisionError: integer division or modulo by zero" in verdict.message


ALL_CHECKERS = [
    check_output_size,
    check_conv1d,
    check_conv2d,
    check_effective_kernel_size,
    check_causal_dilations,
    check_queue_step,
    check_valid_share,
    check_aspp_v2,
]


def stub(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("Exercise: write the body of stub")


def raises(*args: Any, **kwargs: Any) -> Any:
    raise IndexError("index 9 is out of bounds")


@pytest.mark.parametrize("check", ALL_CHECKERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("error", [NotImplementedError, NotImplementedError("Exercise: write the body of stub")])
def test_a_stub_is_not_implemented_yet(check: Callable[..., Verdict], error: BaseException | type) -> None:
    """The student edition's stubs raise NotImplementedError: the verdict says what to do, not what went wrong."""

    def stub(*args: Any, **kwargs: Any) -> Any:
        raise error

    verdict = check(stub, quiet=True)
    assert not verdict and verdict.mistake == "not_implemented"
    assert verdict.message.startswith("✗ stub is not implemented yet: fill in its body")
    assert "then run this check again" in verdict.message
    assert "Case" not in verdict.message and "It raised" not in verdict.message


def test_a_stub_verdict_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    def my_conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
        raise NotImplementedError("Exercise: write the body of my_conv2d")

    assert not check_conv2d(my_conv2d)
    assert capsys.readouterr().out.startswith("✗ my_conv2d is not implemented yet: fill in its body")


def test_checker_rejects_a_non_function() -> None:
    with pytest.raises(TypeError, match="fn must be a function"):
        check_output_size(3)  # type: ignore[arg-type]


# --- a learner's loops, with knobs for each mistake --------------------------------------------------


def pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def conv1d_fn(
    *,
    tap: Callable[[int], int] = lambda d: d,
    pad: str = "both",
    use_stride: bool = True,
    flip: bool = False,
    use_bias: bool = True,
) -> Callable[..., np.ndarray]:
    """A learner's 1-D loops; ``pad`` is "both", "before", "after" or "none"."""

    def my_conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1):
        d, s = tap(dilation), stride if use_stride else 1
        before, after = {"both": (1, 1), "before": (1, 0), "after": (0, 1), "none": (0, 0)}[pad]
        x = np.pad(input, ((0, 0), (0, 0), (before * padding, after * padding)))
        w = weight[..., ::-1] if flip else weight
        n_batch, c_in, size = x.shape
        c_out, _, k = w.shape
        length = (size - d * (k - 1) - 1) // s + 1
        out = np.zeros((n_batch, c_out, length))
        for n in range(n_batch):
            for co in range(c_out):
                for i in range(length):
                    total = 0.0 if bias is None or not use_bias else bias[co]
                    for ci in range(c_in):
                        for ki in range(k):
                            total += w[co, ci, ki] * x[n, ci, i * s + ki * d]
                    out[n, co, i] = total
        return out

    return my_conv1d


def conv2d_fn(
    *,
    tap: Callable[[int], int] = lambda d: d,
    axes: Callable[[int, int], tuple[int, int]] = lambda dh, dw: (dh, dw),
    pad: str = "both",
    use_stride: bool = True,
    flip: bool = False,
    use_bias: bool = True,
) -> Callable[..., np.ndarray]:
    """A learner's 2-D loops with per-axis stride, padding and dilation."""

    def my_conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
        (sh, sw), (ph, pw) = pair(stride) if use_stride else (1, 1), pair(padding)
        dh, dw = (tap(d) for d in axes(*pair(dilation)))
        before, after = {"both": (1, 1), "before": (1, 0), "after": (0, 1), "none": (0, 0)}[pad]
        x = np.pad(input, ((0, 0), (0, 0), (before * ph, after * ph), (before * pw, after * pw)))
        w = weight[..., ::-1, ::-1] if flip else weight
        n_batch, c_in, height_in, width_in = x.shape
        c_out, _, kh, kw = w.shape
        height = (height_in - dh * (kh - 1) - 1) // sh + 1
        width = (width_in - dw * (kw - 1) - 1) // sw + 1
        out = np.zeros((n_batch, c_out, height, width))
        for n in range(n_batch):
            for co in range(c_out):
                for i in range(height):
                    for j in range(width):
                        total = 0.0 if bias is None or not use_bias else bias[co]
                        for ci in range(c_in):
                            for ki in range(kh):
                                for kj in range(kw):
                                    total += w[co, ci, ki, kj] * x[n, ci, i * sh + ki * dh, j * sw + kj * dw]
                        out[n, co, i, j] = total
        return out

    return my_conv2d


# (mistake, knobs, words the message must contain)
WRONG_CONVS: list[tuple[str, dict[str, Any], str]] = [
    ("dilation_gaps", dict(tap=lambda d: d + 1), "dilation + 1"),
    ("dilation_minus_one", dict(tap=lambda d: d - 1), "dilation - 1"),
    ("dilation_ignored", dict(tap=lambda d: 1), "dilation is ignored"),
    ("padding_ignored", dict(pad="none"), "padding is ignored"),
    ("padding_before_only", dict(pad="before"), "zeros before the input and none after"),
    ("padding_after_only", dict(pad="after"), "zeros after the input and none before"),
    ("stride_ignored", dict(use_stride=False), "stride is ignored"),
    ("kernel_flipped", dict(flip=True), "kernel is flipped"),
    ("bias_ignored", dict(use_bias=False), "bias is missing"),
]

WRONG_CONVS_2D = [
    *WRONG_CONVS,
    ("dilation_swapped", dict(axes=lambda dh, dw: (dw, dh)), "rows and columns are swapped"),
    ("dilation_first_only", dict(axes=lambda dh, dw: (dh, dh)), "only the first dilation is used"),
]


@pytest.mark.parametrize(
    ("check", "make"), [(check_conv1d, conv1d_fn), (check_conv2d, conv2d_fn)], ids=["conv1d", "conv2d"]
)
def test_conv_accepts_right_loops(check: Callable[..., Verdict], make: Callable[..., Any]) -> None:
    verdict = check(make(), quiet=True)
    assert verdict.ok and verdict.mistake is None
    assert verdict.message.startswith(f"✓ my_conv{make.__name__[4]}d is right on all 7 cases (")


def test_conv_accepts_the_library() -> None:
    assert check_conv1d(naive.conv1d, quiet=True)
    assert check_conv2d(naive.conv2d, quiet=True)


@pytest.mark.parametrize(("mistake", "knobs", "words"), WRONG_CONVS, ids=[w[0] for w in WRONG_CONVS])
def test_conv1d_names_the_mistake(mistake: str, knobs: dict[str, Any], words: str) -> None:
    verdict = check_conv1d(conv1d_fn(**knobs), quiet=True)
    assert not verdict
    assert verdict.mistake == mistake, verdict.message
    assert words in verdict.message
    assert verdict.message.startswith("✗ my_conv1d is not right yet.\n  Case ")


@pytest.mark.parametrize(("mistake", "knobs", "words"), WRONG_CONVS_2D, ids=[w[0] for w in WRONG_CONVS_2D])
def test_conv2d_names_the_mistake(mistake: str, knobs: dict[str, Any], words: str) -> None:
    verdict = check_conv2d(conv2d_fn(**knobs), quiet=True)
    assert not verdict
    assert verdict.mistake == mistake, verdict.message
    assert words in verdict.message


def one_short(input, weight, bias=None, stride=1, padding=0, dilation=1):
    return naive.conv1d(input, weight, bias, stride, padding, dilation)[..., :-1]


def shifted(input, weight, bias=None, stride=1, padding=0, dilation=1):
    # Two mistakes at once (no padding, values off by one) match no single diagnosis; the shape still hints.
    if padding:
        return naive.conv1d(input, weight, bias, stride, 0, dilation) + 1
    return naive.conv1d(input, weight, bias, stride, padding, dilation)


def off_by_one_value(input, weight, bias=None, stride=1, padding=0, dilation=1):
    out = naive.conv1d(input, weight, bias, stride, padding, dilation)
    out[0, 0, 2] += 1
    return out


def ints_only(input, weight, bias=None, stride=1, padding=0, dilation=1):
    if not isinstance(dilation, int):
        raise TypeError("unsupported operand type(s) for *: 'int' and 'tuple'")
    return naive.conv2d(input, weight, bias, stride, padding, dilation)


def runs_past(input, weight, bias=None, stride=1, padding=0, dilation=1):
    return np.zeros(3)[np.arange(5)]


# What a conv function may return instead of an array: (answer, words the message must contain)
NOT_ARRAYS = [
    (None, "It returned None: did you forget `return out`?"),
    ([[[1.0]]], "It returned a list, not a NumPy array"),
    (np.array([["a"]]), "not of numbers"),
]
NOT_ARRAY_IDS = ["none", "list", "strings"]


def test_conv_wrong_shape_says_expected_and_got() -> None:
    verdict = check_conv1d(one_short, quiet=True)
    assert verdict.mistake == "output_short"  # every value right, one too few
    assert "Expected output shape (1, 1, 5), got (1, 1, 4)." in verdict.message
    assert "floor((7 + 2*0 - 1*(3 - 1) - 1) / 1) + 1 = 5" in verdict.message


def test_conv_shape_says_which_mistake_gives_that_shape() -> None:
    verdict = check_conv1d(shifted, quiet=True)
    assert verdict.mistake == "shape"
    assert "Your shape is what you get with padding = 0" in verdict.message


def test_conv_wrong_values_point_at_the_first() -> None:
    verdict = check_conv1d(off_by_one_value, quiet=True)
    assert verdict.mistake == "values"
    assert "Right shape (1, 1, 5), but 1 of 5 values differ; the first at index (0, 0, 2)" in verdict.message


@pytest.mark.parametrize(("result", "words"), NOT_ARRAYS, ids=NOT_ARRAY_IDS)
def test_conv_not_an_array(result: Any, words: str) -> None:
    verdict = check_conv2d(lambda *args, **kwargs: result, quiet=True)
    assert verdict.mistake == "not_an_array"
    assert words in verdict.message
    assert "Expected an array of shape (1, 1, 3, 3)." in verdict.message


def test_conv_reports_an_exception_with_its_case() -> None:
    verdict = check_conv2d(ints_only, quiet=True)
    assert verdict.mistake == "raised"
    assert "Case 3 of 7" in verdict.message and "dilation=(3, 2)" in verdict.message
    assert "(rows, columns) pair" in verdict.message


def test_conv_index_error_gets_a_hint() -> None:
    verdict = check_conv1d(runs_past, quiet=True)
    assert verdict.mistake == "raised" and "runs past the end" in verdict.message


def test_conv_gets_copies() -> None:
    def scribbles(input, weight, bias=None, stride=1, padding=0, dilation=1):
        out = naive.conv1d(input, weight, bias, stride, padding, dilation)
        input[...] = 0  # must not spoil the checker's own operands
        return out

    assert check_conv1d(scribbles, quiet=True)


def test_cases_cover_what_the_success_line_claims() -> None:
    dilations = {c.dilation for c in CONV1D_CASES}
    assert dilations == {1, 2, 3, 4}
    assert any(c.padding for c in CONV1D_CASES) and any(c.stride != 1 for c in CONV1D_CASES)
    assert any(c.bias for c in CONV1D_CASES) and any(c.input_shape[0] > 1 for c in CONV1D_CASES)
    assert any(isinstance(c.dilation, tuple) for c in CONV2D_CASES)
    assert any(isinstance(c.padding, tuple) for c in CONV2D_CASES)
    assert any(isinstance(c.stride, tuple) for c in CONV2D_CASES)
    assert max(d for *_, d in SIZE_CASES) == 16


@pytest.mark.parametrize("check", ALL_CHECKERS, ids=lambda c: c.__name__)
def test_every_checker_rejects_a_non_function(check: Callable[..., Verdict]) -> None:
    with pytest.raises(TypeError, match="fn must be a function"):
        check(3)


# --- 00: the effective kernel size --------------------------------------------------------------------


def test_kernel_accepts_the_formula() -> None:
    def my_effective_kernel_size(kernel_size, dilation):
        return dilation * (kernel_size - 1) + 1

    verdict = check_effective_kernel_size(my_effective_kernel_size, quiet=True)
    assert verdict.ok and verdict.mistake is None
    assert verdict.message.startswith("✓ my_effective_kernel_size is right on all 9 cases")
    assert check_effective_kernel_size(effective_kernel_size, quiet=True)


WRONG_KERNELS: list[tuple[str, Callable[[int, int], Any], str]] = [
    ("dilation_gaps", lambda k, d: k + (k - 1) * d, "dilation + 1"),
    ("kernel_no_plus_one", lambda k, d: d * (k - 1), "one pixel short"),
    ("kernel_times_dilation", lambda k, d: k * d, "not k*d"),
    ("dilation_ignored", lambda k, d: k, "dilation is ignored"),
]


@pytest.mark.parametrize(("mistake", "fn", "words"), WRONG_KERNELS, ids=[w[0] for w in WRONG_KERNELS])
def test_kernel_names_the_mistake(mistake: str, fn: Callable[[int, int], Any], words: str) -> None:
    verdict = check_effective_kernel_size(fn, quiet=True)
    assert not verdict and verdict.mistake == mistake
    assert words in verdict.message and "returned" in verdict.message


def test_every_kernel_mistake_is_tested_and_distinguishable() -> None:
    assert [m.key for m in KERNEL_MISTAKES] == [w[0] for w in WRONG_KERNELS]
    answers = [tuple(m.answer(*case) for case in KERNEL_CASES) for m in KERNEL_MISTAKES]
    right = tuple(effective_kernel_size(k, d) for k, d in KERNEL_CASES)
    assert len(set(answers)) == len(answers) and right not in answers


OTHER_KERNELS: list[tuple[str, Callable[[int, int], Any]]] = [
    ("not_an_int", lambda k, d: d * (k - 1) + 1.0),
    ("values", lambda k, d: d * (k - 1) + 2),
    ("raised", lambda k, d: k // 0),
]


def test_kernel_other_failures() -> None:
    for mistake, fn in OTHER_KERNELS:
        verdict = check_effective_kernel_size(fn, quiet=True)
        assert verdict.mistake == mistake, verdict.message
        if mistake == "values":
            assert "d(k - 1) + 1 = 1·(3 - 1) + 1 = 3." in verdict.message


# --- 07: a causal stack without holes --------------------------------------------------------------------


def test_causal_accepts_powers_of_three_in_any_order() -> None:
    def my_dilations(layers):
        return [3**i for i in range(layers)]

    verdict = check_causal_dilations(my_dilations, quiet=True)
    assert verdict.ok and "2187 with 7" in verdict.message
    assert check_causal_dilations(lambda layers: [3**i for i in reversed(range(layers))], quiet=True)
    assert check_causal_dilations(lambda layers: tuple(np.int64(3) ** i for i in range(layers)), quiet=True)


# (mistake, a learner's dilations, words the message must contain)
WRONG_CAUSAL: list[tuple[str, Callable[[int], Any], str]] = [
    ("holes", lambda n: [4**i for i in range(n)], "never reads"),
    ("holes", lambda n: [2] * n, "t - 1"),
    ("doubling", lambda n: [2**i for i in range(n)], "WaveNet's doubling"),
    ("too_narrow", lambda n: [1] * n, "at most 3^"),
    ("wrong_length", lambda n: [3**i for i in range(7)], "one per layer"),
    ("not_a_list", lambda n: 3**n, "a list of"),
    ("not_a_list", lambda n: [1.0] * n, "ints >= 1"),
    ("not_a_list", lambda n: [0] * n, "ints >= 1"),
    ("raised", lambda n: [][n], "IndexError"),
]
CAUSAL_IDS = ["powers_of_4", "even", "doubling", "ones", "length", "int", "floats", "zero", "raised"]


@pytest.mark.parametrize(("mistake", "fn", "words"), WRONG_CAUSAL, ids=CAUSAL_IDS)
def test_causal_names_the_mistake(mistake: str, fn: Callable[[int], Any], words: str) -> None:
    verdict = check_causal_dilations(fn, quiet=True)
    assert not verdict and verdict.mistake == mistake, verdict.message
    assert words in verdict.message


def test_causal_offsets_agree_with_gradients() -> None:
    """The checker's arithmetic (sums of j_l d_l) is what a causal stack's gradient shows."""
    import torch

    from dilconv_lib.beyond import WaveNetStack, gradient_support
    from dilconv_lib.exercises.sequence import _causal_offsets

    for dilations in ([1, 3, 9], [1, 4], [2, 3]):
        _ = torch.manual_seed(0)
        stack = WaveNetStack(1, dilations, kernel_size=3).double()
        field = 1 + 2 * sum(dilations)
        t = field + 3
        steps = set(gradient_support(stack, t + 1, position=t).tolist())
        assert {t - s for s in steps} == _causal_offsets(dilations)


# --- 07: the share of valid taps -------------------------------------------------------------------------


def test_share_accepts_the_library() -> None:
    from dilconv_lib.beyond import valid_tap_fraction

    verdict = check_valid_share(valid_tap_fraction, quiet=True)
    assert verdict.ok and "55 cases" in verdict.message


@pytest.mark.parametrize("mistake", SHARE_MISTAKES, ids=[m.key for m in SHARE_MISTAKES])
def test_share_names_the_mistake(mistake: Any) -> None:
    verdict = check_valid_share(mistake.answer, quiet=True)
    assert not verdict and verdict.mistake == mistake.key
    assert mistake.advice in verdict.message


OTHER_SHARES: list[tuple[str, Callable[[int, int], Any]]] = [
    ("not_a_number", lambda n, r: None),
    ("values", lambda n, r: 0.5),
    ("raised", lambda n, r: 1 / 0),
]


def test_share_other_failures() -> None:
    for mistake, fn in OTHER_SHARES:
        assert check_valid_share(fn, quiet=True).mistake == mistake


def test_every_share_mistake_is_distinguishable() -> None:
    from dilconv_lib.beyond import valid_tap_fraction

    answers = [tuple(round(m.answer(*case), 9) for case in SHARE_CASES) for m in SHARE_MISTAKES]
    right = tuple(round(valid_tap_fraction(*case), 9) for case in SHARE_CASES)
    assert len(set(answers)) == len(answers) and right not in answers


# --- 07: DeepLab v2's ASPP by hand ------------------------------------------------------------------------


def aspp_fn(*, combine: str = "sum", rate: str = "own", pad: bool = True) -> Callable[..., Any]:
    import torch
    import torch.nn.functional as F

    def aspp_v2_by_hand(x, module):
        rates = module.rates if rate == "own" else [module.rates[0]] * len(module.rates)
        branches = [
            F.conv2d(x, c.weight, c.bias, padding=r if pad else 0, dilation=r) for c, r in zip(module.branches, rates)
        ]
        if combine == "cat":
            return torch.cat(branches, dim=1)
        if combine == "relu":
            branches = [F.relu(b) for b in branches]
        return torch.stack(branches).sum(dim=0)

    return aspp_v2_by_hand


def test_aspp_accepts_right_and_leaves_the_random_state() -> None:
    import torch

    state = torch.random.get_rng_state()
    verdict = check_aspp_v2(aspp_fn(), quiet=True)
    assert verdict.ok and verdict.message.startswith("✓ aspp_v2_by_hand matches")
    assert torch.equal(torch.random.get_rng_state(), state)


# (mistake, aspp_fn's knobs, words the message must contain)
WRONG_ASPP: list[tuple[str, dict[str, Any], str]] = [
    ("concatenated", dict(combine="cat"), "sums its four branches"),
    ("relu", dict(combine="relu"), "without a ReLU"),
    ("one_rate", dict(rate="first"), "its own rate"),
    ("raised", dict(pad=False), "pad it by its own rate"),
]


@pytest.mark.parametrize(
    ("mistake", "knobs", "words"), WRONG_ASPP, ids=["concatenated", "relu", "one_rate", "no_padding"]
)
def test_aspp_names_the_mistake(mistake: str, knobs: dict[str, Any], words: str) -> None:
    verdict = check_aspp_v2(aspp_fn(**knobs), quiet=True)
    assert not verdict and verdict.mistake == mistake, verdict.message
    assert words in verdict.message


OTHER_ASPP: list[tuple[str, Callable[..., Any]]] = [
    ("not_a_tensor", lambda x, module: x.numpy()),
    ("shape", lambda x, module: module(x)[:, :4]),
    ("values", lambda x, module: module(x) + 1),
]


def test_aspp_other_failures() -> None:
    for mistake, fn in OTHER_ASPP:
        assert check_aspp_v2(fn, quiet=True).mistake == mistake


# --- 07: one step of the queue generator ----------------------------------------------------------------


def queue_step_fn(mistake: str | None = None) -> Callable[..., Any]:
    from dilconv_lib.beyond import queue_step
    from dilconv_lib.exercises.sequence import _wrong_step

    if mistake is None:
        return queue_step
    return lambda stack, x, queues: _wrong_step(stack, x, queues, mistake)


QUEUE_IDS = ["front", "no_dilation", "same_input", "no_residual"]


def test_queue_step_accepts_the_library_and_the_solution_and_leaves_the_random_state() -> None:
    import torch
    import torch.nn.functional as F

    def my_queue_step(stack, x, queues):  # the notebook's solution
        new_queues = []
        for conv, mix, d, queue in zip(stack.dilated, stack.mix, stack.dilations, queues):
            queue = torch.cat([queue[..., 1:], x[..., None]], dim=-1)
            new_queues.append(queue)
            h = F.conv1d(queue, conv.weight, conv.bias, dilation=d)[..., 0]
            f, g = h.chunk(2, dim=1)
            x = x + mix((torch.tanh(f) * torch.sigmoid(g))[..., None])[..., 0]
        return x, new_queues

    state = torch.random.get_rng_state()
    assert check_queue_step(queue_step_fn(), quiet=True)
    verdict = check_queue_step(my_queue_step, quiet=True)
    assert verdict.ok and verdict.message.startswith("✓ my_queue_step gives a full pass's output")
    assert torch.equal(torch.random.get_rng_state(), state)


@pytest.mark.parametrize("mistake", QUEUE_IDS)
def test_queue_step_names_the_mistake(mistake: str) -> None:
    verdict = check_queue_step(queue_step_fn(mistake), quiet=True)
    assert not verdict and verdict.mistake == mistake, verdict.message
    assert "Diagnosis:" in verdict.message


OTHER_QUEUE_STEPS: list[tuple[str, Callable[..., Any]]] = [
    ("not_a_pair", lambda stack, x, queues: x),
    ("shape", lambda stack, x, queues: (x[0], queues)),
    ("queue_length", lambda stack, x, queues: (x, [q[..., 1:] for q in queues])),
    ("values", lambda stack, x, queues: (x, queues)),
]


def test_queue_step_other_failures() -> None:
    for mistake, fn in OTHER_QUEUE_STEPS:
        assert check_queue_step(fn, quiet=True).mistake == mistake


# --- in Chinese: the same verdicts, no English sentence ------------------------------------------------


def in_chinese_cases() -> list[Any]:
    """(checker, answer): a right answer, a stub, a raising function and a wrong answer for every mistake."""
    from dilconv_lib.beyond import valid_tap_fraction

    cases: list[tuple[Callable[..., Verdict], Any, str]] = []
    for check in ALL_CHECKERS:
        cases += [(check, stub, "stub"), (check, raises, "raises")]
    cases += [(check_output_size, output_size, "right")]
    cases += [(check_output_size, fn, mistake) for mistake, fn, _ in WRONG_SIZES]
    cases += [(check_output_size, fn, mistake) for mistake, fn in OTHER_SIZES]
    cases += [(check_effective_kernel_size, effective_kernel_size, "right")]
    cases += [(check_effective_kernel_size, fn, mistake) for mistake, fn, _ in WRONG_KERNELS]
    cases += [(check_effective_kernel_size, fn, mistake) for mistake, fn in OTHER_KERNELS]
    for check, make, wrong in [(check_conv1d, conv1d_fn, WRONG_CONVS), (check_conv2d, conv2d_fn, WRONG_CONVS_2D)]:
        cases += [(check, make(), "right")]
        cases += [(check, make(**knobs), mistake) for mistake, knobs, _ in wrong]
        cases += [
            (check, lambda *args, result=result, **kwargs: result, what)
            for (result, _), what in zip(NOT_ARRAYS, NOT_ARRAY_IDS)
        ]
    cases += [(check_conv1d, fn, fn.__name__) for fn in (one_short, shifted, off_by_one_value, runs_past)]
    cases += [(check_conv2d, ints_only, "ints_only")]
    cases += [(check_causal_dilations, lambda layers: [3**i for i in range(layers)], "right")]
    cases += [(check_causal_dilations, fn, name) for (_, fn, _), name in zip(WRONG_CAUSAL, CAUSAL_IDS)]
    cases += [(check_queue_step, queue_step_fn(), "right")]
    cases += [(check_queue_step, queue_step_fn(mistake), mistake) for mistake in QUEUE_IDS]
    cases += [(check_queue_step, fn, mistake) for mistake, fn in OTHER_QUEUE_STEPS]
    cases += [(check_valid_share, valid_tap_fraction, "right")]
    cases += [(check_valid_share, mistake.answer, mistake.key) for mistake in SHARE_MISTAKES]
    cases += [(check_valid_share, fn, mistake) for mistake, fn in OTHER_SHARES]
    cases += [(check_aspp_v2, aspp_fn(), "right")]
    cases += [(check_aspp_v2, aspp_fn(**knobs), mistake) for mistake, knobs, _ in WRONG_ASPP]
    cases += [(check_aspp_v2, fn, mistake) for mistake, fn in OTHER_ASPP]
    return [pytest.param(check, answer, id=f"{check.__name__}-{what}") for check, answer, what in cases]


@pytest.mark.parametrize(("check", "answer"), in_chinese_cases())
def test_a_verdict_in_chinese(check: Callable[..., Verdict], answer: Any) -> None:
    verdict_in_chinese(check, answer)
