"""Notebook 05: gridding: gap-free rates, HDC's maximum distances, the holes of a 1-D stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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

__all__ = ["check_gap_free_rates", "check_holes_1d", "check_max_distances"]


def check_gap_free_rates(fn: Callable[[int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(min_field)``: rates ``[1, r_2, r_3]`` of three 3x3 layers with no holes and a
    receptive field of at least ``min_field``, for ``min_field`` from 3 to 27 (the widest such field; notebook 05).

    Examples
    --------
    >>> verdict = check_gap_free_rates(lambda min_field: [1, 3, 9])
    ✓ <lambda> is right for every field from 3 to 27: no holes, wide enough.
    >>> check_gap_free_rates(lambda min_field: [1, 2, 9], quiet=True).mistake
    'holes'
    """
    from dilconv_lib.geometry import receptive_fields
    from dilconv_lib.receptive import count_holes, hdc_max_distances

    name = name_of(fn)
    fields = (3, 9, 15, 21, 25, 27)
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
                    "{call} returned {got}; expected a list of three rates [1, r2, r3], each an int >= 1.",
                    call=call,
                    got=repr(raw),
                )
            ]
            return finish(failure(name, lines, "wrong_type"), quiet)
        field = receptive_fields([3, 3, 3], rates)[-1]
        if rates[0] != 1:
            lines = [
                tr(
                    "{call} returned {rates}: start with rate 1; a dilated first layer leaves holes.",
                    call=call,
                    rates=rates,
                )
            ]
            return finish(failure(name, lines, "r1"), quiet)
        if field < min_field:
            lines = [
                tr(
                    "{call} returned {rates}, whose field is {field} < {least}: R = 1 + 2 (1 + r2 + r3).",
                    call=call,
                    rates=rates,
                    field=field,
                    least=min_field,
                )
            ]
            return finish(failure(name, lines, "too_small"), quiet)
        holes = count_holes(rates)
        if holes:
            lines = [
                tr(
                    "{call} returned {rates}, which leaves {holes} holes: M_2 = {m2} > 3.",
                    call=call,
                    rates=rates,
                    holes=holes,
                    m2=hdc_max_distances(rates)[1],
                ),
                tr("Layer 1 fills gaps of up to 3; layers 2 and 3 leave gaps of r2 and (for r3 >= 2 r2) r3 - 2 r2."),
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
            N_("start from M_n = r_n and go down, i = n - 1 .. 1."),
            _max_distances_upward,
        ),
        Mistake(
            "two_terms",
            N_("the third term r_i left out"),
            N_("M_i is the largest of three terms, the last one r_i."),
            lambda r: [*[max(m - 2 * ri, m - 2 * (m - ri)) for ri, m in zip(r[:-1], hdc_max_distances(r)[1:])], r[-1]],
        ),
    ]
    return run_cases(
        fn,
        cases,
        lambda r: hdc_max_distances(r),
        lambda a, b: a == b,
        mistakes,
        N_("M_n = r_n; going down, M_i = max(M_(i+1) - 2 r_i, M_(i+1) - 2 (M_(i+1) - r_i), r_i)."),
        N_("✓ {name} is right on all {count} groups."),
        quiet,
        int_list,
    )


def check_holes_1d(fn: Callable[[list[int]], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(rates)``: the offsets between the smallest and the largest reached offset of a
    stack of 3-tap layers that no sum of taps reaches (notebook 05). The 2-D count is ``R^2 - (R - h)^2``.

    Examples
    --------
    >>> from dilconv_lib.receptive import reached_offsets
    >>> verdict = check_holes_1d(lambda r: 2 * sum(r) + 1 - len(reached_offsets(r)))
    ✓ <lambda> is right on all 6 stacks, and R^2 - (R - h)^2 is the 2-D hole count.
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
        N_("Build the set of sums {{a + t for a in reached for t in (-r, 0, r)}} layer by layer, then count the gaps."),
        N_("✓ {name} is right on all {count} stacks, and R^2 - (R - h)^2 is the 2-D hole count."),
        quiet,
        one_int,
    )
