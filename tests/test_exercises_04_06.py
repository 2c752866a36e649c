"""The checkers of notebooks 04-06 accept right answers, recognise a stub and name each mistake, in both languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from dilconv_lib import receptive_fields
from dilconv_lib.context import identity_kernel
from dilconv_lib.exercises import (
    check_conv_weights,
    check_eq4_kernel,
    check_eq5_centre,
    check_exact_rule,
    check_gap_free_rates,
    check_hidden_share,
    check_holes_1d,
    check_layers_to_reach,
    check_max_distances,
    check_plain_gradient,
    check_receptive_fields,
)
from dilconv_lib.exercises.context import (
    _conv_weights,
    _eq4,
    _eq5,
)
from dilconv_lib.exercises.fields import (
    _fields_with,
    _layers_to_reach,
    _plain_gradient,
)
from dilconv_lib.exercises.gridding import (
    _max_distances_upward,
    _rule,
)
from dilconv_lib.receptive import hdc_max_distances, reached_offsets, satisfies_exact_rule, satisfies_hdc_paper
from tests.verdicts import verdict_in_chinese


def stub(*args: Any) -> Any:
    raise NotImplementedError("Exercise: write the body of stub")


def right_hidden_share(distance: torch.Tensor, labels: torch.Tensor, field: int) -> float:
    objects = labels > 0
    return ((distance > (field - 1) // 2) & objects).sum().item() / objects.sum().item()


def right_eq5(c_in: int, c_out: int, C: int) -> torch.Tensor:
    return identity_kernel(c_in, c_out, 1, C)[:, :, 0, 0]


RIGHT: list[tuple[Callable[..., Any], Callable[..., Any]]] = [
    (check_receptive_fields, receptive_fields),
    (check_layers_to_reach, lambda f: _layers_to_reach(f)),
    (check_plain_gradient, lambda n: _plain_gradient(n).tolist()),
    (check_gap_free_rates, lambda f: [9, 3, 1]),  # any order
    (check_max_distances, hdc_max_distances),
    (check_exact_rule, satisfies_exact_rule),
    (check_exact_rule, lambda r, k: np.bool_(_rule(r, k))),  # a NumPy bool is a bool too
    (check_holes_1d, lambda r: 2 * sum(r) + 1 - len(reached_offsets(r))),
    (check_eq4_kernel, lambda c, k: identity_kernel(c, c, k, c)),  # the library's Eq. 4, a torch tensor
    (check_eq5_centre, right_eq5),
    (check_hidden_share, right_hidden_share),
    (check_conv_weights, lambda w, c: _conv_weights(w, c)),
]


@pytest.mark.parametrize("checker, answer", RIGHT)
def test_accepts_the_right_answer(checker: Callable[..., Any], answer: Callable[..., Any]) -> None:
    verdict = checker(answer, quiet=True)
    assert verdict and verdict.mistake is None and verdict.message.startswith("✓")


@pytest.mark.parametrize("checker", [c for c, _ in RIGHT])
def test_recognises_a_stub(checker: Callable[..., Any], capsys: pytest.CaptureFixture[str]) -> None:
    verdict = checker(stub)
    assert not verdict and verdict.mistake == "not_implemented"
    assert "stub is not implemented yet" in capsys.readouterr().out


@pytest.mark.parametrize("checker", [c for c, _ in RIGHT])
def test_reports_an_exception_without_raising(checker: Callable[..., Any]) -> None:
    def broken(*args: Any) -> Any:
        return [][1]

    verdict = checker(broken, quiet=True)
    assert not verdict and verdict.mistake == "raised" and "IndexError" in verdict.message


WRONG: list[tuple[Callable[..., Any], Callable[..., Any], str]] = [
    (check_receptive_fields, lambda k, d, s=None: _fields_with(k, d, s, "start_zero"), "start_zero"),
    (check_receptive_fields, lambda k, d, s=None: _fields_with(k, d, s, "k_times_d"), "k_times_d"),
    (check_receptive_fields, lambda k, d, s=None: _fields_with(k, d, s, "own_stride"), "own_stride"),
    (check_receptive_fields, lambda k, d, s=None: 67, "wrong_type"),
    (check_layers_to_reach, lambda f: _layers_to_reach(f, doubling_short=True), "doubling_short"),
    (check_layers_to_reach, lambda f: (-(-f // 3), _layers_to_reach(f)[1]), "plain_k"),
    (check_layers_to_reach, lambda f: 6, "wrong_type"),
    (check_plain_gradient, lambda n: _plain_gradient(n, outer=False), "profile_only"),
    (check_plain_gradient, lambda n: _plain_gradient(n, convolutions=n - 1), "one_short"),
    (check_plain_gradient, lambda n: np.add.outer(*[_plain_gradient(n, outer=False)] * 2), "sum"),
    (check_gap_free_rates, lambda f: [1, 2, 9], "holes"),
    (check_gap_free_rates, lambda f: [2, 3, 5], "no_rate_1"),
    (check_gap_free_rates, lambda f: [10, 3, 1], "holes"),  # sorted 1, 3, 10: 10 > 2 * (1 + 3) + 1
    (check_gap_free_rates, lambda f: [1, 2, 5], "too_small"),
    (check_gap_free_rates, lambda f: "1, 3, 9", "wrong_type"),
    (check_max_distances, _max_distances_upward, "upward"),
    (check_exact_rule, lambda r, k: _rule(r, k, in_order=True), "unsorted"),
    (check_exact_rule, lambda r, k: _rule(r, k, plus=0), "no_plus_one"),
    (check_exact_rule, lambda r, k: _rule(r, k, times=k), "k_times"),
    (check_exact_rule, lambda r, k: _rule(r, k, times=(k - 1) // 2), "half"),
    (check_exact_rule, lambda r, k: satisfies_hdc_paper(r), "values"),  # HDC is not the exact rule
    (check_exact_rule, lambda r, k: 1, "wrong_type"),
    (check_max_distances, lambda r: [9] * len(r), "values"),
    (check_holes_1d, lambda r: len(reached_offsets(r)), "reached"),
    (check_holes_1d, lambda r: 2 * sum(r) - len(reached_offsets(r)), "span"),
    (check_holes_1d, lambda r: 1.5, "wrong_type"),
    (check_eq4_kernel, lambda c, k: _eq4(c, k, "every_tap"), "every_tap"),
    (check_eq4_kernel, lambda c, k: _eq4(c, k, "every_channel"), "every_channel"),
    (check_eq4_kernel, lambda c, k: _eq4(c, k, "corner"), "corner"),
    (check_eq4_kernel, lambda c, k: np.eye(c), "values"),  # the centre matrix only: wrong shape
    (check_eq5_centre, lambda i, o, c: _eq5(i, o, c).T, "transposed"),
    (check_eq5_centre, lambda i, o, c: _eq5(i, o, c, "one"), "unscaled"),
    (check_eq5_centre, lambda i, o, c: _eq5(i, o, c, "in"), "scale_in"),
    (check_hidden_share, lambda d, y, f: right_hidden_share(d, y, 2 * f + 1), "reach_is_field"),
    (check_hidden_share, lambda d, y, f: ((d > (f - 1) // 2).sum() / d.numel()).item(), "all_pixels"),
    (check_hidden_share, lambda d, y, f: right_hidden_share(d, y, f - 2), "at_least"),
    (check_hidden_share, lambda d, y, f: "63%", "wrong_type"),
    (check_conv_weights, lambda w, c: _conv_weights(w, c, rule="all_3x3"), "all_3x3"),
    (check_conv_weights, lambda w, c: _conv_weights(w, c, rule="own_width"), "own_width"),
    (check_conv_weights, lambda w, c: _conv_weights(w, c, rule="biases"), "biases"),
]


@pytest.mark.parametrize("checker, answer, mistake", WRONG)
def test_names_the_mistake(checker: Callable[..., Any], answer: Callable[..., Any], mistake: str) -> None:
    verdict = checker(answer, quiet=True)
    assert not verdict and verdict.mistake == mistake, verdict.message
    assert verdict.message.startswith("✗") and "not right yet" in verdict.message


def test_hidden_share_of_a_whole_tensor_is_a_type_mistake_not_a_crash() -> None:
    def whole_map(distance: torch.Tensor, labels: torch.Tensor, field: int) -> torch.Tensor:
        return (distance >= field // 2).float()  # the map, not its share

    verdict = check_hidden_share(whole_map, quiet=True)
    assert not verdict and verdict.mistake is not None


# --- In Chinese: the same verdicts, no English sentence left ---------------------------------------------------


def raising(*args: Any) -> Any:
    return 1 / 0  # ZeroDivisionError's own text, "division by zero", is not a sentence the checker wrote


IN_CHINESE: list[tuple[Callable[..., Any], Callable[..., Any], str | None]] = [
    *((checker, answer, None) for checker, answer in RIGHT),
    *((checker, stub, "not_implemented") for checker, _ in RIGHT),
    *((checker, raising, "raised") for checker, _ in RIGHT),
    *WRONG,
]


@pytest.mark.parametrize("checker, answer, mistake", IN_CHINESE)
def test_the_same_verdict_in_chinese(
    checker: Callable[..., Any], answer: Callable[..., Any], mistake: str | None
) -> None:
    verdict_in_chinese(checker, answer, mistake)
