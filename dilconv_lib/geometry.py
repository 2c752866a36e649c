"""The geometry of dilated convolution: output size, effective kernel, receptive field, sampling pattern.

Each formula lives here once; docstrings elsewhere refer to these functions. The sources:
Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016), and PyTorch's
``nn.Conv2d`` documentation (output size); Yu & Koltun, ICLR 2016 (receptive fields).

Dilation counts the step between taps, as PyTorch, TensorFlow and Caffe do: ``dilation=1`` is an
ordinary convolution. (CS231n and numpy-ml count the inserted gaps instead, so their 0 is our 1.)
"""

from __future__ import annotations

from collections.abc import Sequence

from dilconv_lib.checks import check_int, check_tuple

__all__ = ["effective_kernel_size", "output_size", "receptive_fields", "sampling_pattern"]


def effective_kernel_size(kernel_size: int, dilation: int) -> int:
    """Extent of a dilated kernel: ``d * (k - 1) + 1``, the same as ``k + (k - 1)(d - 1)``.

    A kernel of ``k`` taps, ``d`` apart, spans ``k - 1`` gaps of ``d`` pixels plus the last tap.

    >>> effective_kernel_size(3, 1)  # ordinary 3-tap kernel
    3
    >>> effective_kernel_size(3, 2)  # * . * . *
    5
    >>> effective_kernel_size(3, 3)  # * . . * . . *
    7
    """
    k = check_int(kernel_size, "kernel_size", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    return d * (k - 1) + 1


def output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length along one axis: ``floor((i + 2p - d(k - 1) - 1) / s) + 1``.

    Parameters
    ----------
    size : input length ``i`` (>= 0)
    kernel_size : taps ``k`` (>= 1)
    stride : step ``s`` between output positions (>= 1)
    padding : zeros ``p`` added on each side (>= 0)
    dilation : step ``d`` between taps (>= 1)

    Raises ``ValueError`` when the dilated kernel does not fit in the padded input.

    Examples
    --------
    >>> output_size(7, 3, dilation=2)  # 7 - 5 + 1
    3
    >>> output_size(64, 3, padding=16, dilation=16)  # "same" size for the context module
    64
    >>> output_size(10, 3, stride=2, padding=1)  # floor((10 + 2 - 2 - 1) / 2) + 1
    5
    """
    i = check_int(size, "size", minimum=0)
    p = check_int(padding, "padding", minimum=0)
    s = check_int(stride, "stride", minimum=1)
    k_eff = effective_kernel_size(kernel_size, dilation)
    if k_eff > i + 2 * p:
        raise ValueError(f"kernel_size: the dilated kernel spans {k_eff}, more than the padded size {i + 2 * p}")
    return (i + 2 * p - k_eff) // s + 1


def receptive_fields(
    kernel_sizes: Sequence[int],
    dilations: Sequence[int],
    strides: Sequence[int] | None = None,
) -> list[int]:
    """The 1-D receptive field after each layer of a stack: ``1 + sum_l (k_l - 1) d_l prod_{j<l} s_j``.

    Each layer widens the field by ``(k - 1) * d`` steps of its input grid, and one step of that
    grid is the product of the strides below it (the "jump").

    Parameters
    ----------
    kernel_sizes, dilations : one int per layer
    strides : one int per layer; ``None`` means all 1

    Examples
    --------
    Yu & Koltun's context module (Table 1): 3x3 layers with dilations 1, 1, 2, 4, 8, 16, 1, then a 1x1.

    >>> receptive_fields([3] * 7 + [1], [1, 1, 2, 4, 8, 16, 1, 1])
    [3, 5, 9, 17, 33, 65, 67, 67]

    Their Eq. 3 stack doubles the dilation from the first layer: 2^(l+1) - 1.

    >>> receptive_fields([3] * 4, [1, 2, 4, 8])
    [3, 7, 15, 31]
    >>> receptive_fields([3, 2, 3], [1, 1, 1], strides=[1, 2, 1])  # a pooling layer doubles the jump
    [3, 4, 8]
    """
    ks, ds = list(kernel_sizes), list(dilations)
    ss = [1] * len(ks) if strides is None else list(strides)
    if len(ds) != len(ks):
        raise ValueError(f"dilations must have one entry per layer ({len(ks)}), got {len(ds)}")
    if len(ss) != len(ks):
        raise ValueError(f"strides must have one entry per layer ({len(ks)}), got {len(ss)}")
    fields, rf, jump = [], 1, 1
    for layer, (k, d, s) in enumerate(zip(ks, ds, ss)):
        k = check_int(k, f"kernel_sizes[{layer}]", minimum=1)
        d = check_int(d, f"dilations[{layer}]", minimum=1)
        s = check_int(s, f"strides[{layer}]", minimum=1)
        rf += (k - 1) * d * jump
        jump *= s
        fields.append(rf)
    return fields


def sampling_pattern(kernel_size: int | tuple[int, int], dilation: int | tuple[int, int]) -> str:
    """The input positions a 2-D dilated kernel reads, drawn as in the reference note.

    Rows are joined by newlines and cells by one space; ``*`` is a sampled pixel, ``.`` a skipped
    one. The drawing is ``effective_kernel_size(k, d)`` cells on a side.

    Examples
    --------
    >>> print(sampling_pattern(3, 1))
    * * *
    * * *
    * * *
    >>> print(sampling_pattern(3, 2))  # 3x3 taps spread over 5x5
    * . * . *
    . . . . .
    * . * . *
    . . . . .
    * . * . *
    >>> print(sampling_pattern(2, (1, 3)))  # per-axis dilation: rows 1 apart, columns 3 apart
    * . . *
    * . . *
    """
    k = check_tuple(kernel_size, "kernel_size", 2, minimum=1)
    d = check_tuple(dilation, "dilation", 2, minimum=1)
    height, width = (effective_kernel_size(k_, d_) for k_, d_ in zip(k, d))
    rows = []
    for r in range(height):
        cells = ["*" if r % d[0] == 0 and c % d[1] == 0 else "." for c in range(width)]
        rows.append(" ".join(cells))
    return "\n".join(rows)
