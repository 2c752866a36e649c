"""dilconv_lib: the dilated-convolution course's library.

One tested home for every implementation, formula, figure and widget the notebooks use.

- :mod:`dilconv_lib.geometry`: ``output_size``, ``effective_kernel_size``, ``receptive_fields``,
  ``sampling_pattern`` (re-exported here).
- :mod:`dilconv_lib.checks`: argument normalisation and validation shared by every backend.
- :mod:`dilconv_lib.naive`: ``conv1d`` / ``conv2d`` as loops over NumPy arrays.
- :mod:`dilconv_lib.exercises`: checkers that tell a learner what is wrong with an answer.
- :mod:`dilconv_lib.receptive`: receptive fields by impulse and by gradients, hole maps, the HDC rule,
  effective receptive fields.
- :mod:`dilconv_lib.figures` and :mod:`dilconv_lib.widgets`: plots, and the sampling and stack explorers.

>>> import dilconv_lib
>>> dilconv_lib.output_size(64, 3, padding=2, dilation=2)
64
"""

from dilconv_lib import naive, receptive
from dilconv_lib.geometry import effective_kernel_size, output_size, receptive_fields, sampling_pattern
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
]
