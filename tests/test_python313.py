"""Python 3.13.0's torch.compile warning ("Guards may run slower on Python 3.13.0") never reaches a notebook.

On 3.13.0 exactly, torch's guards warn on stderr at the first compiled call; nbval then sees an output that the
stored notebook lacks and fails notebook 03's compile cells. The library filters that one message when
``dilconv_lib.accelerated`` (which notebook 03 imports before it compiles) is imported. These tests show why the
filter is needed (torch still warns so, on 3.13.0 only) and that it works, on any Python.
"""

from __future__ import annotations

import inspect
import subprocess
import sys

import torch._dynamo.guards

MESSAGE = "Guards may run slower on Python 3.13.0. Consider upgrading to Python 3.13.1+."


def test_torch_warns_so_on_python_3_13_0_only() -> None:
    source = inspect.getsource(torch._dynamo.guards)
    assert MESSAGE in source, "torch no longer warns with this text: the filter in accelerated.py may go"
    assert "sys.version_info < (3, 13, 1)" in source


def _stderr_of(code: str) -> str:
    # A fresh interpreter, as a notebook's kernel is: pytest's own warning capture would hide what a learner sees.
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stderr


def test_the_warning_reaches_a_kernel_without_the_library() -> None:
    assert MESSAGE in _stderr_of(f"import warnings; warnings.warn({MESSAGE!r}, RuntimeWarning)")


def test_the_library_filters_it_and_nothing_else() -> None:
    code = (
        "import warnings, dilconv_lib.accelerated; "
        f"warnings.warn({MESSAGE!r}, RuntimeWarning); warnings.warn('something else', RuntimeWarning)"
    )
    stderr = _stderr_of(code)
    assert MESSAGE not in stderr
    assert "something else" in stderr
