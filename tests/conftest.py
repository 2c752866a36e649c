"""Hypothesis settings for the whole suite (the backends and cases live in ``tests/cases.py``)."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# Property tests run the naive loops, so keep the examples few and small; CI derandomises them.
settings.register_profile("default", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--zh-notebooks", default=None, help="the built Chinese notebooks for tests/test_zh_edition.py (make test-zh)"
    )
