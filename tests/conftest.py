"""Shared fixtures: the backends under test, each a module with ``conv1d`` and ``conv2d``."""

from __future__ import annotations

import os

from hypothesis import settings

from dilconv_lib import naive, vectorized

# Every backend with the torch.nn.functional signature; the shared case table runs on each.
BACKENDS = {"naive": naive, "vectorized": vectorized}

# Property tests run the naive loops, so keep the examples few and small; CI derandomises them.
settings.register_profile("default", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
