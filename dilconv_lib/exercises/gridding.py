"""Notebook 05: gridding: gap-free rates by the exact rule, HDC's maximum distances, the holes of a 1-D stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dilconv_lib.exercises.harness import (
    Mistake,
    Verdict,
    exception_lines,
    failure,
    finish,
    int_list,
    name_of,
    not_implemented,
    one_int,
    passed,
    run_cases,
)
from dilconv_lib.i18n import N_, tr

__all__ = ["check_exact_rule", "check_gap_free_rates", "check_holes_1d", "check_max_distances"]


def check_gap_free_rates(fn: Callable[[int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(min_field)``: the rates of three 3x3 layers, in any order, with no holes and a
    receptive field of at least ``min_field``, for ``min_field`` from 3 to 27 (the widest such field; notebook 05).

    A group with holes is explained by the exact rule (:func:`dilconv_lib.receptive.exact_rule_break`):
    sorted, the first rate above twice the sum of the smaller rates, plus 1.

    Examples
    --------
    >>> verdict = check_gap_free_rates(lambda min_field: [9, 1, 3])
    ✓ <lambda> is right for every field from 3 to 27: no holes, wide enough.
    >>> check_gap_free_rates(lambda min_field: [1, 2, 9], quiet=True).mistake
    'holes'
    >>> check_gap_free_rates(lambda min_field: [2, 3, 5], quiet=True).mistake
    'no_rate_1'
    """
    from dilconv_lib.geometry import receptive_fields
    from dilconv_lib.receptive import count_holes, exact_rule_break

    name = name_of(fn)
    fields = range(3, 28)  # every field the task names
    for min_field in fields:
        call = f"{name}({min_field})"
        try:
            raw = fn(min_field)
        except NotImplementedError:
            return finish(not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            return finish(failure(name, [f"{call}:", *exception_lines(error)], "raised"), quiet)
        try:
            rates = int_list(raw)
        except TypeError:
            rates = []
        if len(rates) != 3 or min(rates) < 1:
            lines = [
                tr(
                    "{call} returned {got}; expected a list of three rates, each an int >= 1.",
                    call=call,
                    got=repr(raw),
                )
            ]
            return finish(failure(name, lines, "wrong_type"), quiet)
        holes = count_holes(rates)
        if 1 not in rates:
            lines = [
                tr(
                    "{call} returned {rates}, which leaves {holes} holes: no layer has rate 1.",
                    call=call,
                    rates=rates,
                    holes=holes,
                ),
                tr("The smallest rate has no smaller rates to fill its gaps, so it must be 1, in any layer."),
            ]
            return finish(failure(name, lines, "no_rate_1"), quiet)
        field = receptive_fields([3, 3, 3], rates)[-1]
        if field < min_field:
            lines = [
                tr(
                    "{call} returned {rates}, whose field is {field} < {least}: R = 1 + 2 (d_1 + d_2 + d_3).",
                    call=call,
                    rates=rates,
                    field=field,
                    least=min_field,
                )
            ]
            return finish(failure(name, lines, "too_small"), quiet)
        if holes:
            broken = exact_rule_break(rates)
            assert broken is not None  # the rule is exact: a group with holes breaks it
            rate, bound = broken
            lines = [
                tr(
                    "{call} returned {rates}, which leaves {holes} holes: sorted, rate {rate} is above "
                    "2 x (the sum of the smaller rates) + 1 = {bound}.",
                    call=call,
                    rates=rates,
                    holes=holes,
                    rate=rate,
                    bound=bound,
                ),
                tr(
                    "The smaller rates reach every offset from -S to S (S = their sum); "
                    "a rate up to 2 S + 1 leaves no gap."
                ),
            ]
            return finish(failure(name, lines, "holes"), quiet)
    return finish(
        passed(
            "✓ {name} is right for every field from {first} to {last}: no holes, wide enough.",
            name=name,
            first=fields[0],
            last=fields[-1],
        ),
        quiet,
    )


def _bool(value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(tr("expected True or False"))
    return bool(value)


def _rule(rates: list[int], k: int, *, in_order: bool = False, times: int | None = None, plus: int = 1) -> bool:
    """The exact rule and its usual misreadings: ``d <= times * (sum of the smaller) + plus``."""
    below = 0
    for d in rates if in_order else sorted(rates):
        if d > (k - 1 if times is None else times) * below + plus:
            return False
        below += d
    return True


def check_exact_rule(fn: Callable[[list[int], int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(rates, k)``: whether a stack of ``k x k`` layers (k odd, >= 3) has no holes, by
    the exact rule: sorted, every rate is at most ``(k - 1)`` times the sum of the smaller rates, plus 1
    (notebook 05). The expected answers are the brute force's (:func:`dilconv_lib.receptive.is_gridding_free`).

    Examples
    --------
    >>> from dilconv_lib.receptive import satisfies_exact_rule
    >>> verdict = check_exact_rule(satisfies_exact_rule)
    ✓ satisfies_exact_rule is right on all 12 stacks, in any order.
    >>> check_exact_rule(lambda rates, k: _rule(rates, k, in_order=True), quiet=True).mistake
    'unsorted'
    """
    from dilconv_lib.receptive import is_gridding_free

    cases = [
        ([1, 2, 5], 3),
        ([1, 2, 9], 3),
        ([9, 2, 1], 3),
        ([2, 1, 1], 3),
        ([1, 3, 1], 3),
        ([2, 3], 3),
        ([1, 1, 2, 4, 8, 16, 1], 3),
        ([1, 2, 10], 3),
        ([1, 4, 13], 3),
        ([1, 2, 9], 5),
        ([13, 1, 4], 5),
        ([1, 6, 40], 7),
    ]
    mistakes = [
        Mistake(
            "unsorted",
            N_("the bounds checked in the layers' order"),
            N_("sort the rates first: holes do not depend on the order of the layers."),
            lambda r, k: _rule(r, k, in_order=True),
        ),
        Mistake(
            "no_plus_one",
            N_("the bound without the + 1"),
            N_(
                "copies of an interval from -S to S that lie d apart touch up to d = 2 S + 1, so the bound ends in + 1."
            ),
            lambda r, k: _rule(r, k, plus=0),
        ),
        Mistake(
            "k_times",
            N_("k times the sum of the smaller rates"),
            N_(
                "the smaller rates reach from -S to S with S = (k - 1) / 2 x their sum; "
                "d <= 2 S + 1: the factor is k - 1."
            ),
            lambda r, k: _rule(r, k, times=k),
        ),
        Mistake(
            "half",
            N_("(k - 1) / 2 times the sum of the smaller rates"),
            N_("the smaller rates reach from -S to S, a width of 2 S + 1 with S = (k - 1) / 2 times their sum."),
            lambda r, k: _rule(r, k, times=(k - 1) // 2),
        ),
    ]
    return run_cases(
        fn,
        cases,
        lambda r, k: is_gridding_free(r, k),
        lambda a, b: a == b,
        mistakes,
        N_("Sort the rates; each must be at most (k - 1) x (the sum of the smaller rates) + 1."),
        N_("✓ {name} is right on all {count} stacks, in any order."),
        quiet,
        _bool,
    )


def _max_distances_upward(rates: list[int]) -> list[int]:
    m = [rates[0]]
    for r in rates[1:]:
        m.append(max(m[-1] - 2 * r, m[-1] - 2 * (m[-1] - r), r))
    return m


def check_max_distances(fn: Callable[[list[int]], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(rates)``: Wang et al.'s ``[M_1, ..., M_n]`` (notebook 05).

    Examples
    --------
    >>> from dilconv_lib.receptive import hdc_max_distances
    >>> verdict = check_max_distances(hdc_max_distances)
    ✓ hdc_max_distances is right on all 7 groups.
    >>> check_max_distances(_max_distances_upward, quiet=True).mistake
    'upward'
    """
    from dilconv_lib.receptive import hdc_max_distances

    cases = [
        ([1, 2, 5],),
        ([1, 2, 9],),
        ([2, 2, 2],),
        ([1, 1, 2, 4, 8, 16, 1],),
        ([1, 3, 1],),
        ([5],),
        ([1, 2, 5, 1, 2, 5],),
    ]
    mistakes = [
        Mistake(
            "upward",
            N_("the recursion run from layer 1 up"),
            N_("start at the top layer, where M is its rate, and go down to layer 1."),
            _max_distances_upward,
        ),
        Mistake(
            "two_terms",
            N_("the third term d_l left out"),
            N_("M_l is the largest of three terms, the last one d_l."),
            lambda r: [*[max(m - 2 * ri, m - 2 * (m - ri)) for ri, m in zip(r[:-1], hdc_max_distances(r)[1:])], r[-1]],
        ),
    ]
    return run_cases(
        fn,
        cases,
        lambda r: hdc_max_distances(r),
        lambda a, b: a == b,
        mistakes,
        N_("At the top layer M is its rate; going down, M_l = max(M_(l+1) - 2 d_l, M_(l+1) - 2 (M_(l+1) - d_l), d_l)."),
        N_("✓ {name} is right on all {count} groups."),
        quiet,
        int_list,
    )


def check_holes_1d(fn: Callable[[list[int]], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(rates)``: the offsets between the smallest and the largest reached offset of a
    stack of 3-tap layers that no sum of taps reaches (notebook 05). The 2-D count is ``R^2 - (R - n)^2``.

    Examples
    --------
    >>> from dilconv_lib.receptive import reached_offsets
    >>> verdict = check_holes_1d(lambda r: 2 * sum(r) + 1 - len(reached_offsets(r)))
    ✓ <lambda> is right on all 6 stacks, and R^2 - (R - n)^2 is the 2-D hole count.
    >>> check_holes_1d(lambda r: len(reached_offsets(r)), quiet=True).mistake
    'reached'
    """
    from dilconv_lib.receptive import reached_offsets

    cases = [([2, 2, 2],), ([1, 2, 9],), ([1, 2, 5],), ([3, 3],), ([1, 4, 4, 12],), ([2, 3, 5],)]
    mistakes = [
        Mistake(
            "reached",
            N_("the number of offsets reached"),
            N_("count those that are NOT reached: the span max - min + 1, less the reached ones."),
            lambda r: len(reached_offsets(r)),
        ),
        Mistake(
            "span",
            N_("the span less the reached offsets, without the + 1"),
            N_("from min to max there are max - min + 1 offsets."),
            lambda r: 2 * sum(r) - len(reached_offsets(r)),
        ),
    ]
    return run_cases(
        fn,
        cases,
        lambda r: 2 * sum(r) + 1 - len(reached_offsets(r)),
        lambda a, b: a == b,
        mistakes,
        N_("Build the set {{a + t for a in reached for t in (-d, 0, d)}} layer by layer; count the missing offsets."),
        N_("✓ {name} is right on all {count} stacks, and R^2 - (R - n)^2 is the 2-D hole count."),
        quiet,
        one_int,
    )
