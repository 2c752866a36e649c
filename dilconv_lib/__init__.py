"""dilconv_lib: the dilated-convolution course's library.

One tested home for every implementation, formula, figure and widget the notebooks use.

- :mod:`dilconv_lib.geometry`: ``output_size``, ``effective_kernel_size``, ``receptive_fields``,
  ``sampling_pattern`` (re-exported here).
- :mod:`dilconv_lib.checks`: argument normalisation and validation shared by every backend.
- :mod:`dilconv_lib.naive`: ``conv1d`` / ``conv2d`` as loops over NumPy arrays.
- :mod:`dilconv_lib.exercises`: checkers that tell a learner what is wrong with an answer.

>>> import dilconv_lib
>>> dilconv_lib.output_size(64, 3, padding=2, dilation=2)
64
"""

from dilconv_lib import naive
from dilconv_lib.geometry import effective_kernel_size, output_size, receptive_fields, sampling_pattern

__version__ = "0.1.0"

__all__ = [
    "effective_kernel_size",
    "naive",
    "output_size",
    "receptive_fields",
    "sampling_pattern",
]
