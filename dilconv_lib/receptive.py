"""Receptive fields measured, holes mapped, and the Hybrid Dilated Convolution rule.

The theoretical receptive field of a stack is :func:`dilconv_lib.geometry.receptive_fields`; this
module checks it from three other sides:

- **by impulse**: :func:`impulse_response` propagates one pixel through a stack of all-ones kernels.
  Its value at an input pixel counts the paths that join it to one output pixel, so its zeros inside
  the receptive field's bounding square are the *holes* of :func:`hole_map` and :func:`count_holes`
  (the "gridding" of Wang et al., "Understanding Convolution for Semantic Segmentation", WACV 2018).
- **by the HDC rule**: :func:`hdc_max_distances` and :func:`satisfies_hdc` implement Wang et al.'s
  rule, which predicts holes from the dilation rates alone; :func:`shares_common_factor` is the rule's
  second clause (:func:`satisfies_hdc_paper` checks both). Neither is exact; :func:`satisfies_exact_rule`
  is, for any order of the layers and any odd kernel size (:func:`exact_rule_break` names the rate that
  breaks it). :func:`reached_offsets` and :func:`widest_gap` give the 1-D offsets
  a stack reaches, what ``M_i`` stands for.
- **by gradients**: :func:`input_gradient`, :func:`receptive_field_by_gradient` and
  :func:`effective_receptive_field` back-propagate from one output pixel of a torch model; the
  effective receptive field is that of Luo et al., "Understanding the Effective Receptive Field in
  Deep Convolutional Neural Networks" (NIPS 2016). :func:`conv_stack` builds small test models.

Every stack here has square kernels and the same dilation and stride along both axes.
The hole functions need NumPy only; the gradient functions import torch when called.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from dilconv_lib.checks import check_int, check_ints, check_real, check_tuple
from dilconv_lib.geometry import receptive_fields
from dilconv_lib.i18n import tr

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = [
    "conv_stack",
    "count_holes",
    "effective_receptive_field",
    "erf_size",
    "exact_rule_break",
    "hdc_max_distances",
    "hole_map",
    "impulse_response",
    "input_gradient",
    "is_gridding_free",
    "reached_offsets",
    "receptive_field_by_gradient",
    "satisfies_exact_rule",
    "satisfies_hdc",
    "satisfies_hdc_paper",
    "shares_common_factor",
    "widest_gap",
]

# impulse_response counts paths in int64; a stack with more paths than this is refused.
_MAX_PATHS = 2**62


def _check_stack(
    dilations: Sequence[int],
    kernel_size: int | Sequence[int],
    strides: Sequence[int] | None = None,
) -> tuple[list[int], list[int], list[int]]:
    """Check a stack and return (kernel sizes, dilations, strides), one int each per layer."""
    ds = list(check_ints(dilations, "dilations", minimum=1))
    n = len(ds)
    if isinstance(kernel_size, (Sequence, np.ndarray)) and not isinstance(kernel_size, (str, bytes)):
        ks = list(check_ints(kernel_size, "kernel_size", minimum=1))
        if len(ks) != n:
            raise ValueError(
                tr("kernel_size must be an int or one int per layer ({layers}), got {value!r}", layers=n, value=ks)
            )
    else:
        ks = [check_int(kernel_size, "kernel_size", minimum=1)] * n
    ss = [1] * n if strides is None else list(check_ints(strides, "strides", minimum=1))
    if len(ss) != n:
        raise ValueError(tr("strides must be None or one int per layer ({layers}), got {value!r}", layers=n, value=ss))
    return ks, ds, ss


def impulse_response(
    dilations: Sequence[int],
    kernel_size: int | Sequence[int] = 3,
    strides: Sequence[int] | None = None,
) -> np.ndarray:
    """Paths from one output pixel back to each input pixel, through all-ones kernels.

    Equivalently, the gradient of one output pixel with respect to the input when every weight is 1
    and nothing is clipped. Layer ``l`` reads taps ``t * d_l * J_l`` input pixels apart
    (``t = 0 .. k_l - 1``), where ``J_l = prod_{j<l} s_j`` is the jump of its input grid; one output
    pixel therefore reaches every sum of one tap offset per layer, and the count at an input pixel is
    the number of such sums that land on it. The map is computed by shift-and-add, one layer at a time.

    Parameters
    ----------
    dilations : one int >= 1 per layer
    kernel_size : int, or one int per layer (e.g. ``[3] * 7 + [1]`` for the context module)
    strides : one int per layer, or None for all 1

    Returns
    -------
    (R, R) int64 array, ``R = receptive_fields(kernel_sizes, dilations, strides)[-1]``; entry
    ``[a, b]`` counts the paths to the input pixel ``(a, b)`` of the field's bounding square.

    Examples
    --------
    Two 3-tap layers with dilations 1 and 2: offsets {0, 1, 2} + {0, 2, 4} = 0..6, R = 1 + 2 + 4 = 7.

    >>> impulse_response([1, 2])[0]  # first row: the 1-D counts 1, 1, 2, 1, 2, 1, 1 times 1
    array([1, 1, 2, 1, 2, 1, 1])
    >>> impulse_response([2, 2], kernel_size=2)  # (2 - 1) * 2 * 2 + 1 = 5: taps 0, 2, 4
    array([[1, 0, 2, 0, 1],
           [0, 0, 0, 0, 0],
           [2, 0, 4, 0, 2],
           [0, 0, 0, 0, 0],
           [1, 0, 2, 0, 1]])
    """
    ks, ds, ss = _check_stack(dilations, kernel_size, strides)
    if math.prod(k * k for k in ks) > _MAX_PATHS:
        raise ValueError(
            tr("kernel_size: a stack of {layers} layers has too many paths to count in int64", layers=len(ks))
        )
    size = receptive_fields(ks, ds, ss)[-1]
    counts = np.zeros((1, 1), dtype=np.int64)
    counts[0, 0] = 1
    jump = 1
    for k, d, s in zip(ks, ds, ss):
        step = d * jump  # input pixels between two taps of this layer
        grown = np.zeros((counts.shape[0] + (k - 1) * step,) * 2, dtype=np.int64)
        n = counts.shape[0]
        for a in range(k):
            for b in range(k):
                grown[a * step : a * step + n, b * step : b * step + n] += counts
        counts, jump = grown, jump * s
    assert counts.shape == (size, size)  # the formula and the propagation agree on the extent
    return counts


def hole_map(
    dilations: Sequence[int],
    kernel_size: int | Sequence[int] = 3,
    strides: Sequence[int] | None = None,
) -> np.ndarray:
    """Which input pixels of its receptive field's bounding square one output pixel sees.

    Parameters
    ----------
    dilations, kernel_size, strides : as in :func:`impulse_response`

    Returns
    -------
    (R, R) bool array: ``True`` where some path reaches the pixel, ``False`` at a hole.

    Examples
    --------
    Three 3x3 layers with dilation 2 see only even offsets: a 13x13 square with 7x7 pixels seen.

    >>> seen = hole_map([2, 2, 2])
    >>> seen.shape, int(seen.sum())
    ((13, 13), 49)
    >>> print("\\n".join("".join("#" if s else "." for s in row) for row in hole_map([2], 3)))
    #.#.#
    .....
    #.#.#
    .....
    #.#.#
    """
    return impulse_response(dilations, kernel_size, strides) > 0


def count_holes(
    dilations: Sequence[int],
    kernel_size: int | Sequence[int] = 3,
    strides: Sequence[int] | None = None,
) -> int:
    """The number of input pixels inside the receptive field's bounding square that are never read.

    Parameters
    ----------
    dilations, kernel_size, strides : as in :func:`impulse_response`

    Returns
    -------
    ``R * R - (pixels seen)``, an int >= 0.

    Examples
    --------
    >>> count_holes([2, 2, 2])  # 13 * 13 - 7 * 7
    120
    >>> count_holes([1, 2, 5]), count_holes([1, 2, 9])  # 25 * 25 - 21 * 21 = 184
    (0, 184)
    """
    seen = hole_map(dilations, kernel_size, strides)
    return int(seen.size - seen.sum())


def is_gridding_free(
    dilations: Sequence[int],
    kernel_size: int | Sequence[int] = 3,
    strides: Sequence[int] | None = None,
) -> bool:
    """Whether one output pixel sees every input pixel of its receptive field (no holes).

    The ground truth, by impulse propagation; :func:`satisfies_hdc` predicts it from a rule.

    Parameters
    ----------
    dilations, kernel_size, strides : as in :func:`impulse_response`

    Returns
    -------
    ``count_holes(dilations, kernel_size, strides) == 0``

    Examples
    --------
    >>> is_gridding_free([1, 2, 5]), is_gridding_free([2, 2, 2])
    (True, False)
    """
    return count_holes(dilations, kernel_size, strides) == 0


def hdc_max_distances(dilations: Sequence[int]) -> list[int]:
    """Wang et al.'s "maximum distance between two nonzero values", ``[M_1, ..., M_n]``.

    With ``M_n = r_n`` and, going down the group,

        M_i = max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i),

    where ``r_i`` is the dilation rate of layer ``i``. The three terms place the taps ``-r_i, 0, r_i``
    of a 3-tap kernel inside a gap of ``M_{i+1}``: the recursion is written for the paper's 3x3 kernels.

    Parameters
    ----------
    dilations : rates ``r_1 .. r_n``, each an int >= 1

    Returns
    -------
    list of n ints, ``[M_1, ..., M_n]``.

    Examples
    --------
    >>> hdc_max_distances([1, 2, 5])  # M_2 = max(5 - 4, 5 - 6, 2) = 2
    [1, 2, 5]
    >>> hdc_max_distances([1, 2, 9])  # M_2 = max(9 - 4, 9 - 14, 2) = 5
    [3, 5, 9]
    """
    _, rates, _ = _check_stack(dilations, 3)
    distances = [rates[-1]]
    for r in reversed(rates[:-1]):
        m = distances[0]
        distances.insert(0, max(m - 2 * r, m - 2 * (m - r), r))
    return distances


def satisfies_hdc(dilations: Sequence[int], kernel_size: int = 3) -> bool:
    """Wang et al.'s HDC rule as stated: a group of ``K x K`` layers is gridding-free when ``M_2 <= K``.

    ``M_2`` is the widest gap that layers ``2 .. n`` leave (:func:`hdc_max_distances`); the rule then
    relies on layer 1 to fill every gap up to ``K``, which only a dense layer does: it assumes
    ``r_1 = 1``. The function checks the rule, not that assumption, so ``[2, 2, 2]`` passes it yet
    leaves holes (:func:`is_gridding_free` is the ground truth).

    Parameters
    ----------
    dilations : rates ``r_1 .. r_n``, n >= 2
    kernel_size : ``K``

    Examples
    --------
    >>> satisfies_hdc([1, 2, 5]), satisfies_hdc([1, 2, 9])  # M_2 = 2 and 5 against K = 3
    (True, False)
    >>> satisfies_hdc([2, 2, 2]), is_gridding_free([2, 2, 2])  # r_1 = 2 breaks the assumption
    (True, False)
    """
    k = check_int(kernel_size, "kernel_size", minimum=1)
    distances = hdc_max_distances(dilations)
    if len(distances) < 2:
        raise ValueError(
            tr("dilations: the HDC rule needs a group of at least 2 layers, got {value!r}", value=list(dilations))
        )
    return distances[1] <= k


def reached_offsets(dilations: Sequence[int], kernel_size: int = 3) -> list[int]:
    """The 1-D offsets from one output pixel that a stack of ``k``-tap layers reaches, sorted.

    Layer ``l``'s taps sit at ``t * d_l`` for ``t = -(k-1)/2 .. (k-1)/2`` (odd ``k``) around the pixel;
    the stack reaches every sum of one tap offset per layer. Along each axis this is the support of
    :func:`impulse_response`, centred on 0; the 2-D field is its square (the axes are independent).

    Parameters
    ----------
    dilations : one int >= 1 per layer
    kernel_size : k, odd

    Returns
    -------
    sorted list of ints, symmetric about 0, from ``-(R - 1) / 2`` to ``(R - 1) / 2``

    Examples
    --------
    >>> reached_offsets([2, 5])  # {-2, 0, 2} + {-5, 0, 5}
    [-7, -5, -3, -2, 0, 2, 3, 5, 7]
    >>> reached_offsets([1, 2, 5]) == list(range(-8, 9))  # no gap: [1, 2, 5] has no holes
    True
    """
    ks, ds, _ = _check_stack(dilations, kernel_size)
    if ks[0] % 2 == 0:
        raise ValueError(tr("kernel_size must be odd (taps centred on the pixel), got {value}", value=ks[0]))
    half = ks[0] // 2
    # The set as the bits of one int (bit i: offset i - span reached): a layer ORs k shifted copies of it,
    # which is what the set {a + t d} of every sum does, many times faster (notebook 05 checks 17,940 stacks).
    reached, span = 1, 0
    for d in ds:
        grown = 0
        for t in range(ks[0]):
            grown |= reached << (t * d)
        reached, span = grown, span + half * d
    return [i - span for i, bit in enumerate(reversed(bin(reached)[2:])) if bit == "1"]


def widest_gap(dilations: Sequence[int], kernel_size: int = 3) -> int:
    """The largest distance between two neighbouring offsets of :func:`reached_offsets` (1: no gap).

    Wang et al. read ``M_i`` as this distance for layers ``i .. n``. For rates that never decrease the
    recursion of :func:`hdc_max_distances` gives exactly this number; when a rate falls, it does not.

    Examples
    --------
    >>> widest_gap([2, 9]), hdc_max_distances([1, 2, 9])[1]  # layers 2 and 3 of [1, 2, 9]: M_2 = 5
    (5, 5)
    >>> widest_gap([16, 1]), hdc_max_distances([16, 1])[0]  # a falling rate: the gap is 14, M says 31
    (14, 31)
    >>> widest_gap([4])  # one layer: its taps' distance
    4
    """
    offsets = reached_offsets(dilations, kernel_size)
    if len(offsets) == 1:
        return 1
    return max(b - a for a, b in zip(offsets, offsets[1:]))


def shares_common_factor(dilations: Sequence[int]) -> bool:
    """Wang et al.'s second HDC clause, broken: whether the rates of a group share a factor > 1.

    Read as "the greatest common divisor of the group's rates is above 1": then every offset the group
    reaches is a multiple of it, and every other offset is a hole. (Read pairwise, the clause would
    also reject ``[1, 2, 4]``, which leaves no holes.)

    Examples
    --------
    >>> shares_common_factor([2, 2, 2]), shares_common_factor([2, 4, 8]), shares_common_factor([2, 3])
    (True, True, False)
    """
    rates = check_ints(dilations, "dilations", minimum=1)
    return math.gcd(*rates) > 1


def satisfies_hdc_paper(dilations: Sequence[int], kernel_size: int = 3) -> bool:
    """Both of Wang et al.'s HDC conditions: ``M_2 <= K`` and no common factor of the rates.

    Still not sufficient: ``[2, 3]`` and ``[2, 3, 5]`` pass both and leave holes. Nor necessary:
    ``[1, 3, 1]`` fails ``M_2 <= K`` and leaves none (:func:`satisfies_exact_rule` is exact).

    Examples
    --------
    >>> satisfies_hdc_paper([1, 2, 5]), satisfies_hdc_paper([2, 2, 2]), satisfies_hdc_paper([1, 2, 9])
    (True, False, False)
    >>> satisfies_hdc_paper([2, 3]), count_holes([2, 3])  # passes, yet 40 holes
    (True, 40)
    """
    return satisfies_hdc(dilations, kernel_size) and not shares_common_factor(dilations)


def exact_rule_break(dilations: Sequence[int], kernel_size: int = 3) -> tuple[int, int] | None:
    """The first rate, in sorted order, that breaks the exact rule, with its bound; None if none does.

    Sort the rates, ``d_1 <= d_2 <= ...``. With ``h = (k - 1) / 2`` taps on each side of the centre, the
    layers below rate ``d_l`` reach every offset from ``-S`` to ``S``, ``S = h (d_1 + ... + d_(l-1))``,
    as long as no rate broke the rule; ``d_l`` then places ``k`` copies of that interval ``d_l`` apart,
    which touch or overlap exactly when ``d_l <= 2 S + 1 = (k - 1) (d_1 + ... + d_(l-1)) + 1``. The
    proof that a broken bound always leaves holes is in notebook 05; :func:`satisfies_exact_rule` is
    this function returning None.

    Parameters
    ----------
    dilations : one int >= 1 per layer, in any order
    kernel_size : k, odd (taps centred on the pixel)

    Returns
    -------
    ``(d_l, (k - 1) * (d_1 + ... + d_(l-1)) + 1)`` for the first sorted rate above its bound, or None.

    Examples
    --------
    >>> exact_rule_break([1, 2, 9])  # sorted 1, 2, 9: 9 > 2 * (1 + 2) + 1 = 7
    (9, 7)
    >>> exact_rule_break([2, 3, 5])  # the smallest rate has nothing below it: 2 > 2 * 0 + 1
    (2, 1)
    >>> exact_rule_break([5, 1, 2]) is None  # 1 <= 1, 2 <= 3, 5 <= 7
    True
    """
    rates = check_ints(dilations, "dilations", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    if k % 2 == 0:
        raise ValueError(tr("kernel_size must be odd (taps centred on the pixel), got {value}", value=k))
    if k == 1:
        return None  # a 1-tap layer reads only its own pixel, whatever its dilation: no gap to fill
    below = 0  # the sum of the smaller rates
    for d in sorted(rates):
        bound = (k - 1) * below + 1
        if d > bound:
            return d, bound
        below += d
    return None


def satisfies_exact_rule(dilations: Sequence[int], kernel_size: int = 3) -> bool:
    """Whether a stack of ``k x k`` layers has no holes, by an exact rule that ignores the layers' order.

    Sort the rates, ``d_1 <= d_2 <= ... <= d_M``. The stack is hole-free exactly when every rate is at
    most ``(k - 1)`` times the sum of the smaller rates, plus 1:

        d_l <= (k - 1) (d_1 + ... + d_(l-1)) + 1   for l = 1 .. M,

    so the smallest rate must be 1. (A stack of ``1 x 1`` layers reads one pixel and is always
    hole-free.) The reached offsets are a sum of one tap offset per layer, the same in any order, so
    the rule is order-free; notebook 05 proves it and checks it against :func:`is_gridding_free`, the
    brute-force ground truth, on every group of up to four layers. :func:`exact_rule_break` names the
    rate that breaks it.

    Parameters
    ----------
    dilations : one int >= 1 per layer, in any order
    kernel_size : k, odd

    Returns
    -------
    ``exact_rule_break(dilations, kernel_size) is None``

    Examples
    --------
    >>> satisfies_exact_rule([1, 2, 5]), satisfies_exact_rule([2, 3, 5]), satisfies_exact_rule([1, 2, 9])
    (True, False, False)
    >>> satisfies_exact_rule([2, 1, 1]), satisfies_exact_rule([1, 3, 1])  # any order: sorted 1, 1, 2 / 1, 1, 3
    (True, True)
    >>> satisfies_exact_rule([1, 2, 9], 5), satisfies_exact_rule([1, 2, 13], 5)  # 13 <= 4 * 3 + 1, 14 would not be
    (True, True)
    """
    return exact_rule_break(dilations, kernel_size) is None


def conv_stack(
    dilations: Sequence[int],
    kernel_size: int | Sequence[int] = 3,
    channels: int = 1,
    init: Literal["default", "ones", "identity"] = "default",
    seed: int | None = None,
    dtype: torch.dtype | None = None,
) -> nn.Sequential:
    """A stack of size-preserving 2-D convolutions with ReLU between layers (none after the last).

    Layer ``l`` is ``nn.Conv2d(channels, channels, k_l, dilation=d_l, padding="same")``.

    Parameters
    ----------
    dilations : one int >= 1 per layer
    kernel_size : int, or one int per layer
    channels : C, the same in every layer; the stack maps (N, C, H, W) to (N, C, H, W)
    init : ``"default"`` (torch's), ``"ones"`` (every weight 1, bias 0: nothing cancels, every path
        counts) or ``"identity"`` (Yu & Koltun's Eq. 4: centre tap 1 on the same channel, bias 0;
        odd kernels only)
    seed : seeds torch's generator for ``"default"`` without touching the global one
    dtype : the parameters' dtype (torch's default when None)

    Examples
    --------
    >>> import torch
    >>> stack = conv_stack([1, 2], channels=2, init="identity")
    >>> x = torch.rand(1, 2, 9, 9)  # non-negative, so ReLU passes it through
    >>> bool(torch.equal(stack(x), x)), stack(x).shape  # (N, C, H, W) in and out
    (True, torch.Size([1, 2, 9, 9]))
    """
    import torch
    from torch import nn

    ks, ds, _ = _check_stack(dilations, kernel_size)
    c = check_int(channels, "channels", minimum=1)
    if init not in ("default", "ones", "identity"):
        raise ValueError(tr("init must be 'default', 'ones' or 'identity', got {value!r}", value=init))
    if init == "identity" and any(k % 2 == 0 for k in ks):
        raise ValueError(tr("kernel_size: identity init needs odd kernels (a centre tap), got {value}", value=ks))
    layers: list[nn.Module] = []
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(check_int(seed, "seed"))
        for i, (k, d) in enumerate(zip(ks, ds)):
            conv = nn.Conv2d(c, c, k, dilation=d, padding="same", dtype=dtype)
            with torch.no_grad():
                if init == "ones":
                    conv.weight.fill_(1.0)
                elif init == "identity":
                    conv.weight.zero_()
                    conv.weight[range(c), range(c), k // 2, k // 2] = 1.0
                if init != "default" and conv.bias is not None:
                    conv.bias.zero_()
            layers.append(conv)
            if i < len(ks) - 1:
                layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _centre(height: int, width: int, position: tuple[int, int] | None) -> tuple[int, int]:
    if position is None:
        return height // 2, width // 2
    i, j = check_tuple(position, "position", 2, minimum=0)
    if i >= height or j >= width:
        raise ValueError(
            tr(
                "position must lie inside the {height}x{width} output, got {value}",
                height=height,
                width=width,
                value=(i, j),
            )
        )
    return i, j


def input_gradient(model: nn.Module, input: torch.Tensor, position: tuple[int, int] | None = None) -> np.ndarray:
    """The gradient of one output pixel, summed over output channels, with respect to the input.

    Back-propagates 1 from output pixel ``position`` of every sample and channel and 0 from everywhere
    else. Samples do not interact, so one backward pass gives each sample its own gradient.

    Parameters
    ----------
    model : maps (N, C_in, H, W) to (N, C_out, H_out, W_out)
    input : (N, C_in, H, W) tensor
    position : ``(i, j)`` in the output; its centre ``(H_out // 2, W_out // 2)`` when None

    Returns
    -------
    (N, C_in, H, W) float64 array.

    Examples
    --------
    Two all-ones 3-tap layers, dilations 1 and 2: the 1-D path counts 1, 1, 2, 1, 2, 1, 1 in each axis.

    >>> import torch
    >>> g = input_gradient(conv_stack([1, 2], init="ones"), torch.ones(1, 1, 9, 9))
    >>> g.shape, g[0, 0, 4, 1:8].tolist()  # the centre row: offsets -3..3, times the centre column's 1
    ((1, 1, 9, 9), [1.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1.0])
    """
    import torch

    if not isinstance(input, torch.Tensor) or input.ndim != 4:
        raise ValueError(
            tr("input must be a (N, C, H, W) tensor, got {value}", value=getattr(input, "shape", type(input)))
        )
    x = input.detach().clone().requires_grad_(True)
    out = model(x)
    if out.ndim != 4:
        raise ValueError(tr("model must return (N, C, H, W), got shape {shape}", shape=tuple(out.shape)))
    i, j = _centre(out.shape[2], out.shape[3], position)
    (grad,) = torch.autograd.grad(out[:, :, i, j].sum(), x)
    return grad.detach().to(torch.float64).numpy()


def _input_size(input_size: int | tuple[int, int]) -> tuple[int, int]:
    h, w = check_tuple(input_size, "input_size", 2, minimum=1)
    return h, w


def receptive_field_by_gradient(
    model: nn.Module,
    input_size: int | tuple[int, int],
    channels: int = 1,
    position: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """The receptive field measured: the bounding box of the input pixels with a non-zero gradient.

    Runs the model on an all-ones input and back-propagates from one output pixel
    (:func:`input_gradient`). With non-negative weights and biases (``conv_stack(..., init="ones")``)
    no path cancels and no ReLU is off, so the box is the theoretical field, clipped to the image;
    other weights can only shrink it.

    Parameters
    ----------
    model : maps (1, channels, H, W) to (1, C_out, H_out, W_out); its first parameter sets the dtype
    input_size : H, or (H, W)
    channels : the model's input channels
    position : output pixel; the centre when None

    Returns
    -------
    (height, width) of the box; (0, 0) when no gradient reaches the input.

    Examples
    --------
    >>> receptive_field_by_gradient(conv_stack([1, 1, 2, 4], init="ones"), 40)  # 1 + 2 + 2 + 4 + 8
    (17, 17)
    """
    import torch

    h, w = _input_size(input_size)
    c = check_int(channels, "channels", minimum=1)
    dtype = next(iter(model.parameters()), torch.empty(0)).dtype
    grad = input_gradient(model, torch.ones(1, c, h, w, dtype=dtype), position)
    rows, cols = np.nonzero(np.abs(grad[0]).sum(axis=0))
    if rows.size == 0:
        return 0, 0
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def effective_receptive_field(
    model: nn.Module,
    input_size: int | tuple[int, int],
    channels: int = 1,
    samples: int = 16,
    seed: int = 0,
    positive: bool = False,
    position: tuple[int, int] | None = None,
) -> np.ndarray:
    """Luo et al.'s effective receptive field: the mean absolute input gradient of one output pixel.

    Back-propagates 1 from output pixel ``position`` (:func:`input_gradient`) for ``samples`` random
    inputs and averages ``|gradient|`` over samples and input channels. Outside the theoretical
    receptive field it is exactly zero; inside, it is what the model actually uses.

    Parameters
    ----------
    model : maps (N, channels, H, W) to (N, C_out, H_out, W_out); its first parameter sets the dtype
    input_size : H, or (H, W)
    channels : the model's input channels
    samples : random inputs to average over
    seed : seeds the inputs (the global generator is left alone)
    positive : draw inputs uniform in [0, 1) instead of standard normal
    position : output pixel; the centre when None

    Returns
    -------
    (H, W) float64 array, >= 0.

    Examples
    --------
    At identity initialisation the gradient reaches one pixel only (here the input is positive, so
    every ReLU passes it).

    >>> erf = effective_receptive_field(conv_stack([1, 2, 4], channels=2, init="identity"), 15, 2, positive=True)
    >>> erf.shape, np.argwhere(erf).tolist(), float(erf[7, 7])  # (H, W); the centre; both channels
    ((15, 15), [[7, 7]], 2.0)
    """
    import torch

    h, w = _input_size(input_size)
    c = check_int(channels, "channels", minimum=1)
    n = check_int(samples, "samples", minimum=1)
    generator = torch.Generator().manual_seed(check_int(seed, "seed"))
    dtype = next(iter(model.parameters()), torch.empty(0)).dtype
    shape = (n, c, h, w)
    x = torch.rand(shape, generator=generator) if positive else torch.randn(shape, generator=generator)
    grad = input_gradient(model, x.to(dtype), position)
    erf: np.ndarray = np.abs(grad).sum(axis=1).mean(axis=0)
    return erf


def erf_size(erf: np.ndarray, mass: float = 0.95, centre: tuple[int, int] | None = None) -> int:
    """The side of the smallest square around ``centre`` that holds ``mass`` of the map's total.

    A size for an effective receptive field that ignores the faint tails Luo et al. point out.

    Parameters
    ----------
    erf : (H, W) non-negative array, e.g. from :func:`effective_receptive_field`
    mass : fraction of the total, in (0, 1]
    centre : ``(i, j)``; ``(H // 2, W // 2)`` when None

    Returns
    -------
    an odd int ``2 r + 1`` (the square may run over the map's edge); 0 for an all-zero map.

    Examples
    --------
    >>> m = np.zeros((7, 7)); m[3, 3] = 4.0; m[3, 5] = 1.0
    >>> erf_size(m, 0.8), erf_size(m, 0.9)  # 4 / 5 at the centre pixel; 5 / 5 needs radius 2
    (1, 5)
    """
    m = np.asarray(erf, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError(tr("erf must be a 2-D (H, W) array, got shape {shape}", shape=m.shape))
    if (m < 0).any():
        raise ValueError(tr("erf must be non-negative"))
    check_real(mass, "mass", above=0, maximum=1)
    total = m.sum()
    if total == 0:
        return 0
    i, j = _centre(m.shape[0], m.shape[1], centre)
    for r in range(max(m.shape)):
        inside = m[max(i - r, 0) : i + r + 1, max(j - r, 0) : j + r + 1].sum()
        if inside >= mass * total * (1 - 1e-12):  # float sums: allow the last ulp
            return 2 * r + 1
    return 2 * int(max(m.shape)) - 1
