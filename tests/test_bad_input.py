"""Bad input raises ValueError or TypeError naming the argument, on every backend: never a wrong answer."""

from __future__ import annotations

import pytest

from tests.cases import BACKENDS, BAD_CALLS, Backend


@pytest.mark.parametrize("backend", list(BACKENDS.values()), ids=list(BACKENDS))
@pytest.mark.parametrize("conv, args, kwargs, error, words", [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS])
def test_bad_input_names_the_argument(
    backend: Backend, conv: str, args: tuple, kwargs: dict, error: type, words: str
) -> None:
    with pytest.raises(error, match=words):
        getattr(backend, conv)(*args, **kwargs)


def test_at_least_fifteen_distinct_bad_calls() -> None:
    assert len({c[0] for c in BAD_CALLS}) == len(BAD_CALLS) >= 15
