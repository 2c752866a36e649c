"""dilconv_lib: the dilated-convolution course's library.

One tested home for every implementation, formula, figure and widget the notebooks use.

- :mod:`dilconv_lib.checks`: the argument checks every module shares (ints, tuples, numbers, choices, arrays,
  tensors); it imports nothing else from the library.
- :mod:`dilconv_lib.geometry`: ``output_size``, ``effective_kernel_size``, ``receptive_fields``,
  ``sampling_pattern`` (re-exported here), and ``conv_geometry``, one convolution call checked and normalised.
- :mod:`dilconv_lib.naive`: ``conv1d`` / ``conv2d`` as loops over NumPy arrays.
- :mod:`dilconv_lib.vectorized`: ``conv1d`` / ``conv2d`` in NumPy with no loop over pixels (tap loop, one
  product per kernel row, im2col, space-to-batch), ``dilate_kernel``; :mod:`dilconv_lib.timing`: the one timer
  (``measure``); :mod:`dilconv_lib.bench`: ``python -m dilconv_lib.bench``, each implementation in a fresh process.
- :mod:`dilconv_lib.accelerated`: ``conv1d`` / ``conv2d`` on torch tensors (checks + ``torch.nn.functional``),
  and ``conv1d_unfold`` / ``conv2d_unfold`` (``F.unfold`` + one matmul per group). Imported on demand (torch).
- :mod:`dilconv_lib.backward`: ``conv2d_grad_input``, ``conv2d_grad_weight``, ``conv2d_grad_bias``: the
  backward pass by hand.
- :mod:`dilconv_lib.exercises`: checkers that tell a learner what is wrong with an answer, one module a
  topic (``sizes``, ``loops``, ``speed``, ``gradients``, ``fields``, ``gridding``, ``context``, ``sequence``,
  ``practice``) on a shared ``harness``; every checker is importable from the package itself.
- :mod:`dilconv_lib.i18n`: every sentence, figure label and table the library shows, in the learner's
  language (``set_language("zh")``, re-exported here, or ``DILCONV_LANG=zh``: Chinese), from the catalogue
  ``dilconv_lib/locale/<lang>/*.yml``; in Chinese, matplotlib draws with a CJK font (``sync_font``), for the
  notebooks' own figures too.
- :mod:`dilconv_lib.receptive`: receptive fields by impulse and by gradients, hole maps, the HDC rule,
  effective receptive fields.
- :mod:`dilconv_lib.figures` and :mod:`dilconv_lib.widgets`: plots, and the sampling and stack explorers.
- :mod:`dilconv_lib.context`: Yu & Koltun's ``ContextModule`` (Basic and Large, identity initialisation) and
  the plain and pooling baselines; ``ContextModule`` is re-exported here, loaded with torch on first use.
- :mod:`dilconv_lib.tasks`: a dense-prediction task that needs context, its metric and its training loop.
- :mod:`dilconv_lib.beyond`: WaveNet's causal dilated convolution (``causal_conv1d``, ``WaveNetStack``) and
  DeepLab's atrous spatial pyramid pooling (``ASPP``, valid taps per rate); those three names are re-exported
  here, loaded with torch on first use.
- :mod:`dilconv_lib.practice`: dilation in the networks people use: dilation instead of stride in a backbone,
  DRN's degridding, transposed against dilated, DeepLab's Multi-Grid, a TCN, where a receptive field sits.

>>> import dilconv_lib
>>> dilconv_lib.output_size(64, 3, padding=2, dilation=2)
64
"""

from dilconv_lib import backward, naive, receptive, vectorized
from dilconv_lib.geometry import effective_kernel_size, output_size, receptive_fields, sampling_pattern
from dilconv_lib.i18n import set_language, sync_font
from dilconv_lib.receptive import (
    count_holes,
    hdc_max_distances,
    hole_map,
    impulse_response,
    is_gridding_free,
    satisfies_hdc,
)

__version__ = "0.1.0"

__all__ = [
    "ASPP",
    "ContextModule",
    "WaveNetStack",
    "backward",
    "causal_conv1d",
    "count_holes",
    "effective_kernel_size",
    "hdc_max_distances",
    "hole_map",
    "impulse_response",
    "is_gridding_free",
    "naive",
    "output_size",
    "receptive",
    "receptive_fields",
    "sampling_pattern",
    "satisfies_hdc",
    "set_language",
    "vectorized",
]

# With DILCONV_LANG=zh, the notebook's own figures draw Chinese too: its first cell imports the library.
# (English: nothing happens, and matplotlib is not imported.)
sync_font()


# These need torch; they are loaded on first use so that `import dilconv_lib` stays light.
_LAZY = {
    "ContextModule": "dilconv_lib.context",
    "ASPP": "dilconv_lib.beyond",
    "WaveNetStack": "dilconv_lib.beyond",
    "causal_conv1d": "dilconv_lib.beyond",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dilconv_lib' has no attribute {name!r}")
