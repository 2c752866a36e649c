"""Checkers for the course's exercises: is a learner's function right, and if not, what is wrong with it?

Each checker calls the learner's function on a handful of small cases and compares the answers with
the library (:func:`dilconv_lib.geometry.output_size`, :mod:`dilconv_lib.naive`). When an answer is
wrong, it tries the usual mistakes one by one (the dilation read as the number of gaps, padding on
one side only, the stride ignored, a flipped kernel, ...) and names the first one that explains
every answer. Otherwise it shows the first wrong answer next to the right one.

Every checker prints its verdict and returns a :class:`Verdict`, which is true exactly when the
function is right, so that a notebook can stop at a wrong answer with ``assert check_conv1d(f)``.

One module a topic, named after what its notebook teaches; every checker is importable from here:

- :mod:`~dilconv_lib.exercises.harness`: the verdict, the case loop and the printing, written once;
- :mod:`~dilconv_lib.exercises.sizes` (00, 01): ``check_effective_kernel_size``, ``check_output_size``;
- :mod:`~dilconv_lib.exercises.loops` (01, 02): ``check_conv1d``, ``check_conv2d``;
- :mod:`~dilconv_lib.exercises.vectorized` (02): ``check_tap_loop``, ``check_im2col``, ``check_space_to_batch``;
- :mod:`~dilconv_lib.exercises.speed` (02, 03): ``check_dilate_kernel``, ``check_im2col_bytes``,
  ``check_pixels_read``;
- :mod:`~dilconv_lib.exercises.torch_ops` (03): ``check_conv2d_unfold``;
- :mod:`~dilconv_lib.exercises.gradients` (03): ``check_grad_bias``, ``check_output_padding``,
  ``check_conv1d_grad_input``, ``check_conv1d_grad_weight``, ``check_numerical_gradient``;
- :mod:`~dilconv_lib.exercises.fields` (04): ``check_receptive_fields``, ``check_layers_to_reach``,
  ``check_plain_gradient``;
- :mod:`~dilconv_lib.exercises.gridding` (05): ``check_gap_free_rates``, ``check_max_distances``,
  ``check_holes_1d``, ``check_exact_rule``;
- :mod:`~dilconv_lib.exercises.context` (06): ``check_eq4_kernel``, ``check_eq5_centre``, ``check_hidden_share``,
  ``check_conv_weights``;
- :mod:`~dilconv_lib.exercises.sequence` (07): ``check_causal_dilations``, ``check_queue_step``; (08):
  ``check_valid_share``, ``check_aspp_v2``;
- :mod:`~dilconv_lib.exercises.practice` (08): ``check_output_stride_plan``, ``check_separable_cost``;
  ``check_field_centre`` (where a receptive field sits).

Every sentence a checker prints is in the learner's language (:mod:`dilconv_lib.i18n`).

Examples
--------
>>> from dilconv_lib import naive, output_size
>>> verdict = check_output_size(output_size)
✓ output_size is right on all 10 cases (dilations 1 to 16, padding and stride).
>>> bool(verdict)
True
>>> def gaps_conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1):
...     return naive.conv1d(input, weight, bias, stride, padding, dilation + 1)  # dilation read as gaps
>>> check_conv1d(gaps_conv1d, quiet=True).mistake
'dilation_gaps'

A function that still raises ``NotImplementedError``, as the student edition's stubs do, is not
diagnosed: the verdict says what to do.

>>> def my_conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1):
...     raise NotImplementedError("Exercise: write the body of my_conv1d")
>>> verdict = check_conv1d(my_conv1d)
✗ my_conv1d is not implemented yet: fill in its body in place of `raise NotImplementedError(...)`,
run that cell, then run this check again.
>>> verdict.mistake
'not_implemented'
"""

from dilconv_lib.exercises.context import check_conv_weights, check_eq4_kernel, check_eq5_centre, check_hidden_share
from dilconv_lib.exercises.fields import check_layers_to_reach, check_plain_gradient, check_receptive_fields
from dilconv_lib.exercises.gradients import (
    check_conv1d_grad_input,
    check_conv1d_grad_weight,
    check_grad_bias,
    check_numerical_gradient,
    check_output_padding,
)
from dilconv_lib.exercises.gridding import (
    check_exact_rule,
    check_gap_free_rates,
    check_holes_1d,
    check_max_distances,
)
from dilconv_lib.exercises.harness import Verdict
from dilconv_lib.exercises.loops import check_conv1d, check_conv2d
from dilconv_lib.exercises.practice import check_field_centre, check_output_stride_plan, check_separable_cost
from dilconv_lib.exercises.sequence import check_aspp_v2, check_causal_dilations, check_queue_step, check_valid_share
from dilconv_lib.exercises.sizes import check_effective_kernel_size, check_output_size
from dilconv_lib.exercises.speed import check_dilate_kernel, check_im2col_bytes, check_pixels_read
from dilconv_lib.exercises.torch_ops import check_conv2d_unfold
from dilconv_lib.exercises.vectorized import check_im2col, check_space_to_batch, check_tap_loop

__all__ = [
    "Verdict",
    "check_aspp_v2",
    "check_causal_dilations",
    "check_conv1d",
    "check_conv1d_grad_input",
    "check_conv1d_grad_weight",
    "check_conv2d",
    "check_conv2d_unfold",
    "check_conv_weights",
    "check_dilate_kernel",
    "check_effective_kernel_size",
    "check_eq4_kernel",
    "check_eq5_centre",
    "check_exact_rule",
    "check_field_centre",
    "check_gap_free_rates",
    "check_grad_bias",
    "check_hidden_share",
    "check_holes_1d",
    "check_im2col",
    "check_im2col_bytes",
    "check_layers_to_reach",
    "check_max_distances",
    "check_numerical_gradient",
    "check_output_padding",
    "check_output_size",
    "check_output_stride_plan",
    "check_pixels_read",
    "check_plain_gradient",
    "check_queue_step",
    "check_receptive_fields",
    "check_separable_cost",
    "check_space_to_batch",
    "check_tap_loop",
    "check_valid_share",
]
