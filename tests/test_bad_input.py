"""Bad input raises ValueError or TypeError naming the argument, on every backend: never a wrong answer.

The table is tests/cases.py's BAD_CALLS; a torch backend gets its numeric arrays as tensors (what only tensors
can get wrong is in test_accelerated.py).
"""

from __future__ import annotations

import pytest

from tests.cases import BAD_CALLS, Backend, BadCall, backend_params


@pytest.mark.parametrize("backend, call", backend_params(BAD_CALLS))
def test_bad_input_names_the_argument(backend: Backend, call: BadCall) -> None:
    with pytest.raises(call.error, match=call.words):
        backend.conv(call.n_spatial)(*call.args, **call.kwargs)
