"""Beyond images: WaveNet's dilated causal convolution and DeepLab's atrous spatial pyramid pooling.

**In time, causal.** A model that generates a signal one sample at a time may let output ``t`` read
inputs ``<= t`` only. :func:`causal_conv1d` pads ``d (k - 1)`` zeros on the left and none on the right, so
that output ``t`` reads inputs ``t - d (k - 1), ..., t`` and the length is kept. WaveNet (van den Oord et al.,
"WaveNet: A Generative Model for Raw Audio", 2016) stacks such layers with kernel 2 and dilations doubling
from 1 to 512, repeated: :func:`wavenet_dilations`, :func:`wavenet_receptive_field` (1024 samples a block,
3070 for three). :class:`WaveNetStack` is a small stack of gated, residual causal layers, and
:func:`gradient_support` finds the inputs that one of its outputs depends on. :func:`generate` runs
such a stack autoregressively, either recomputing at each step only the columns the new output reads
(:func:`window_offsets`: about one a step of the receptive field) or, as in Paine et al.'s fast WaveNet
generation (arXiv:1611.09482), keeping a queue of each layer's recent inputs so that each step computes one
new column per layer (:func:`queue_step`).

**In space, in parallel.** Atrous spatial pyramid pooling (ASPP) reads one feature map with several rates at
once. :class:`ASPP` is DeepLab v3's (Chen et al., "Rethinking Atrous Convolution for Semantic Image
Segmentation", 2017: a 1x1 branch, 3x3 branches at rates 6, 12, 18, and image pooling, concatenated and
projected by a 1x1 convolution) or DeepLab v2's (Chen et al., "DeepLab: Semantic Image Segmentation with Deep
Convolutional Nets, Atrous Convolution, and Fully Connected CRFs", TPAMI 2018: 3x3 branches at rates 6, 12, 18,
24, summed). :func:`valid_tap_counts` and :func:`valid_tap_fraction` count how many taps of a kernel land on
the feature map rather than on its zero padding: as the rate nears the map's size, a 3x3 kernel becomes 1x1.

Receptive fields come from :func:`dilconv_lib.geometry.receptive_fields`; arguments are checked by
:mod:`dilconv_lib.checks`, and models' inputs as in :mod:`dilconv_lib.context`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dilconv_lib.accelerated import conv1d
from dilconv_lib.checks import (
    check_bool,
    check_choice,
    check_feature_map,
    check_int,
    check_ints,
    check_tensors,
    check_tuple,
)
from dilconv_lib.geometry import receptive_fields
from dilconv_lib.i18n import tr

__all__ = [
    "ASPP",
    "ASPP_RATES",
    "WAVENET_KERNEL_SIZE",
    "WaveNetStack",
    "Generation",
    "causal_conv1d",
    "generate",
    "queue_step",
    "window_offsets",
    "gradient_support",
    "valid_tap_counts",
    "valid_tap_fraction",
    "wavenet_dilations",
    "wavenet_receptive_field",
]

Variant = Literal["v2", "v3"]

#: WaveNet's dilated convolutions have two taps: the current sample and one ``d`` steps back.
WAVENET_KERNEL_SIZE = 2
#: DeepLab's ASPP rates: v3's at output stride 16, and v2's ASPP-L (which v2 ran at output stride 8).
ASPP_RATES: dict[str, tuple[int, ...]] = {"v2": (6, 12, 18, 24), "v3": (6, 12, 18)}


# --- 1-D: causal convolution and WaveNet ---------------------------------------------------------------------


def causal_conv1d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    dilation: int = 1,
) -> torch.Tensor:
    """1-D dilated causal convolution: ``d (k - 1)`` zeros on the left, none on the right, then :func:`conv1d`.

    ``out[n, co, t] = bias[co] + sum_{ci, j} weight[co, ci, j] * x[n, ci, t - d (k - 1 - j)]``, with ``x = 0``
    before the start: the last tap ``j = k - 1`` reads the current sample ``t``, the first reads ``d (k - 1)``
    samples back, and no tap reads a sample after ``t``.

    Parameters
    ----------
    input : (N, C_in, L) or (C_in, L), a floating-point tensor, L >= 1
    weight : (C_out, C_in, k), same dtype and device as input
    bias : (C_out,) or None
    dilation : d >= 1, the step between taps

    Returns
    -------
    (N, C_out, L) or (C_out, L): the input's length, since ``output_size(L + d (k - 1), k, dilation=d) == L``.

    Examples
    --------
    Two taps, 2 apart: ``out[t] = 1 * x[t - 2] + 10 * x[t]``, with ``x[-2] = x[-1] = 0``.

    >>> x = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])  # (C_in=1, L=6)
    >>> causal_conv1d(x, torch.tensor([[[1.0, 10.0]]]), dilation=2)  # (C_out=1, L=6)
    tensor([[10., 20., 31., 42., 53., 64.]])
    """
    check_tensors(input, weight, bias)
    if input.ndim not in (2, 3):
        raise ValueError(
            tr(
                "input must have 2 (C_in, L) or 3 (N, C_in, L) dimensions, got shape {shape}",
                shape=tuple(input.shape),
            )
        )
    if weight.ndim != 3:
        raise ValueError(
            tr("weight must have 3 dimensions (C_out, C_in, k), got shape {shape}", shape=tuple(weight.shape))
        )
    if input.shape[-1] < 1:
        raise ValueError(
            tr("input must have a length L >= 1 (its last dimension), got shape {shape}", shape=tuple(input.shape))
        )
    d = check_int(dilation, "dilation", minimum=1)
    left = d * (weight.shape[-1] - 1)
    return conv1d(F.pad(input, (left, 0)), weight, bias, dilation=d)  # F.pad: (left, right) of the last axis


def wavenet_dilations(blocks: int = 1, max_dilation: int = 512) -> tuple[int, ...]:
    """WaveNet's dilations: ``1, 2, 4, ..., max_dilation``, the block repeated ``blocks`` times.

    Parameters
    ----------
    blocks : number of blocks, >= 1
    max_dilation : the last dilation of a block, a power of 2 (512 in the paper)

    Returns
    -------
    tuple of ``blocks * (log2(max_dilation) + 1)`` ints.

    Examples
    --------
    >>> wavenet_dilations(2, max_dilation=8)
    (1, 2, 4, 8, 1, 2, 4, 8)
    >>> len(wavenet_dilations())  # 1, 2, ..., 512: ten layers
    10
    """
    n = check_int(blocks, "blocks", minimum=1)
    top = check_int(max_dilation, "max_dilation", minimum=1)
    if top & (top - 1):
        raise ValueError(tr("max_dilation must be a power of 2 (1, 2, 4, ...), got {value}", value=top))
    block = tuple(2**i for i in range(top.bit_length()))
    return block * n


def wavenet_receptive_field(blocks: int = 1, max_dilation: int = 512, kernel_size: int = WAVENET_KERNEL_SIZE) -> int:
    """The receptive field, in samples, of :func:`wavenet_dilations` with kernels of ``kernel_size`` taps.

    ``receptive_fields([k] * n, dilations)[-1]``: each block of dilations 1 .. 2^m adds
    ``(k - 1)(2^(m+1) - 1)`` samples to the one sample an output starts from.

    Examples
    --------
    >>> wavenet_receptive_field()  # 1 + (1 + 2 + ... + 512) = 1 + 1023
    1024
    >>> wavenet_receptive_field(blocks=3)  # 1 + 3 * 1023
    3070
    """
    dilations = wavenet_dilations(blocks, max_dilation)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    return receptive_fields([k] * len(dilations), dilations)[-1]


class WaveNetStack(nn.Module):
    """A stack of dilated causal convolutions with WaveNet's gated units and residual connections.

    (N, C, L) -> (N, C, L). Layer ``l``, with dilation ``d_l``:

    - gated: ``z = tanh(W_f * x) ⊙ sigmoid(W_g * x)``, two causal convolutions of ``k`` taps (one
      ``nn.Conv1d`` with 2C outputs, split in two); not gated: ``z = tanh(W_f * x)``;
    - a 1x1 convolution ``W_r``; residual: ``x <- x + W_r z``, otherwise ``x <- W_r z``.

    WaveNet adds skip connections from every layer and an output head; they change neither the
    causality nor the receptive field, ``receptive_fields([k] * n, dilations)[-1]``, and are left out.

    Parameters
    ----------
    channels : C, in and out of every layer
    dilations : one int >= 1 per layer; WaveNet's Figure 3 draws (1, 2, 4, 8)
    kernel_size : k, taps per causal convolution (WaveNet: 2)
    gated, residual : as above

    Attributes
    ----------
    dilated : the layers' ``nn.Conv1d(C, 2C or C, k)``, applied with :func:`causal_conv1d`
    mix : the layers' 1x1 ``nn.Conv1d(C, C, 1)``
    receptive_field : int

    Examples
    --------
    >>> stack = WaveNetStack(4)  # dilations 1, 2, 4, 8
    >>> stack(torch.randn(2, 4, 50)).shape  # (N, C, L) kept
    torch.Size([2, 4, 50])
    >>> stack.receptive_field  # 1 + 1 + 2 + 4 + 8
    16
    """

    def __init__(
        self,
        channels: int,
        dilations: Sequence[int] = (1, 2, 4, 8),
        kernel_size: int = WAVENET_KERNEL_SIZE,
        gated: bool = True,
        residual: bool = True,
    ) -> None:
        super().__init__()
        self.channels = check_int(channels, "channels", minimum=1)
        self.dilations = check_ints(dilations, "dilations", minimum=1)
        self.kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
        check_bool(gated, "gated")
        check_bool(residual, "residual")
        self.gated, self.residual = gated, residual
        width = 2 * self.channels if gated else self.channels
        self.dilated = nn.ModuleList(nn.Conv1d(self.channels, width, self.kernel_size) for _ in self.dilations)
        self.mix = nn.ModuleList(nn.Conv1d(self.channels, self.channels, 1) for _ in self.dilations)

    @property
    def receptive_field(self) -> int:
        """Samples one output reads: :func:`dilconv_lib.geometry.receptive_fields` of the dilated layers."""
        return receptive_fields([self.kernel_size] * len(self.dilations), self.dilations)[-1]

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """(N, C, L) -> (N, C, L); output ``t`` depends on inputs ``t - receptive_field + 1 .. t`` only."""
        check_feature_map(input, self.channels, axes="NCL")
        x = input
        for conv, mix, d in zip(cast("list[nn.Conv1d]", list(self.dilated)), self.mix, self.dilations):
            h = causal_conv1d(x, conv.weight, conv.bias, dilation=d)  # (N, 2C or C, L)
            if self.gated:
                f, g = h.chunk(2, dim=1)  # (N, C, L) each: filter and gate
                z = torch.tanh(f) * torch.sigmoid(g)
            else:
                z = torch.tanh(h)
            y = mix(z)
            x = x + y if self.residual else y
        return x

    def extra_repr(self) -> str:
        return (
            f"channels={self.channels}, dilations={self.dilations}, kernel_size={self.kernel_size}, "
            f"gated={self.gated}, residual={self.residual}"
        )


def gradient_support(
    model: nn.Module,
    length: int,
    channels: int = 1,
    position: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """The input steps that output step ``position`` depends on: where its gradient is non-zero.

    Runs ``model`` on one random sequence (standard normal, from a generator seeded with ``seed``, in the
    dtype and on the device of the model's first parameter) and back-propagates 1 from
    ``output[0, :, position]`` (summed over output channels). A step outside the model's receptive field
    gets an exact zero; inside, a random input and random weights make an exact zero improbable.

    Parameters
    ----------
    model : maps (1, channels, length) to (1, C_out, length)
    length : L
    channels : the model's input channels
    position : output step, in ``0 .. L - 1`` (negative counts from the end); the last one when None
    seed : seeds the input

    Returns
    -------
    sorted int64 array of input steps.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> gradient_support(WaveNetStack(2, dilations=(1, 2)), 10, channels=2, position=6)  # 1 + 1 + 2 = 4 steps
    array([3, 4, 5, 6])
    """
    n = check_int(length, "length", minimum=1)
    c = check_int(channels, "channels", minimum=1)
    t = n - 1 if position is None else check_int(position, "position")
    if not -n <= t < n:
        raise ValueError(
            tr("position must lie in -{n} .. {last} for length {n}, got {value}", n=n, last=n - 1, value=t)
        )
    generator = torch.Generator().manual_seed(check_int(seed, "seed", minimum=0))
    like = next(iter(model.parameters()), torch.empty(0))  # the input takes the model's dtype and device
    x = torch.randn(1, c, n, generator=generator).to(like).requires_grad_(True)
    out = model(x)
    if out.ndim != 3 or out.shape[-1] != n:
        raise ValueError(tr("model must return (1, C_out, {n}), got shape {shape}", n=n, shape=tuple(out.shape)))
    (grad,) = torch.autograd.grad(out[0, :, t].sum(), x)  # leaves the model's .grad untouched
    return np.flatnonzero(grad[0].abs().sum(dim=0).cpu().numpy())


class Generation(NamedTuple):
    """What :func:`generate` returns: the sequence and the work it took."""

    #: (N, C, steps + 1): the seed ``x_0``, then ``x_1 .. x_steps``
    samples: torch.Tensor
    #: output columns the dilated convolutions computed, one column being (N, C_out) at one step of one layer
    columns: int


def queue_step(
    stack: WaveNetStack, x: torch.Tensor, queues: Sequence[torch.Tensor]
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """One step of Paine et al.'s fast generation: the stack's output column for one new input column.

    Layer ``l`` keeps a queue of its last ``d_l (k - 1) + 1`` inputs, oldest first. The step pushes the
    layer's new input onto the end of its queue and drops the oldest, computes the one new column of the
    dilated convolution from the queue (its taps are the queue's first and last entries for ``k = 2``),
    then the gate, the 1x1 convolution and the residual sum; the result is the next layer's new input.

    Parameters
    ----------
    stack : the model
    x : (N, C), the input at step ``t``
    queues : one (N, C, d_l (k - 1) + 1) tensor per layer, holding the layer's inputs at steps
        ``t - d_l (k - 1) - 1 .. t - 1`` (zeros before the start: the causal padding)

    Returns
    -------
    (output, queues)
        the stack's output at step ``t``, (N, C), and the new queues (the arguments are not changed).

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> stack = WaveNetStack(2, dilations=(1, 2)).double()
    >>> x = torch.randn(1, 2, 5, dtype=torch.float64)  # (N, C, L)
    >>> queues = [torch.zeros(1, 2, d + 1, dtype=torch.float64) for d in stack.dilations]
    >>> columns = []
    >>> for t in range(5):
    ...     out, queues = queue_step(stack, x[..., t], queues)
    ...     columns.append(out)
    >>> torch.allclose(torch.stack(columns, dim=-1), stack(x), rtol=0, atol=1e-12)  # the full pass, column by column
    True
    """
    if not isinstance(stack, WaveNetStack):
        raise TypeError(tr("stack must be a WaveNetStack, got {type}", type=type(stack).__name__))
    if not isinstance(x, torch.Tensor):
        raise TypeError(tr("x must be a torch.Tensor, got {type}", type=type(x).__name__))
    if x.ndim != 2 or x.shape[1] != stack.channels:
        raise ValueError(
            tr("x must have shape (N, {channels}), got {shape}", channels=stack.channels, shape=tuple(x.shape))
        )
    queues = list(queues)
    if len(queues) != len(stack.dilations):
        raise ValueError(
            tr(
                "queues must hold one tensor per layer, {layers}, got {count}",
                layers=len(stack.dilations),
                count=len(queues),
            )
        )
    new_queues = []
    layers = zip(cast("list[nn.Conv1d]", list(stack.dilated)), stack.mix, stack.dilations, queues)
    for conv, mix, d, queue in layers:
        queue = torch.cat([queue[..., 1:], x[..., None]], dim=-1)  # (N, C, d (k - 1) + 1): oldest dropped
        new_queues.append(queue)
        taps = queue[..., ::d]  # (N, C, k): the inputs at t - d (k - 1), ..., t - d, t
        h = torch.einsum("ncj,ocj->no", taps, conv.weight) + cast("torch.Tensor", conv.bias)  # (N, 2C or C)
        y = mix(_gate(stack, h)[..., None])[..., 0]  # the 1x1 convolution on one column
        x = x + y if stack.residual else y
    return x, new_queues


def _gate(stack: WaveNetStack, h: torch.Tensor) -> torch.Tensor:
    """WaveNet's gated unit on the channel axis 1: (N, 2C, ...) -> (N, C, ...); tanh alone when not gated."""
    if stack.gated:
        f, g = h.chunk(2, dim=1)  # filter and gate
        return torch.tanh(f) * torch.sigmoid(g)
    return torch.tanh(h)


def window_offsets(dilations: Sequence[int], kernel_size: int = WAVENET_KERNEL_SIZE) -> list[list[int]]:
    """How far back each layer's output is needed for one new output of a causal stack: its window.

    The top layer is needed at offset 0 only; a layer needed at offsets ``s`` reads its input at
    ``s + j d`` for ``j = 0 .. k - 1``. Returns one sorted list per layer, from the input (index 0, the
    inputs one output reads: its receptive field, without holes or with) to the top layer (``[0]``).
    The columns a step computes, once the history is long enough, are the layers' window sizes summed:
    ``2^M - 1`` for ``M`` layers of kernel 2 with dilations 1, 2, 4, ..., one less than the field.

    Examples
    --------
    >>> window_offsets((1, 2))  # input: 4 steps; layer 1 at 0 and 2; layer 2 at 0
    [[0, 1, 2, 3], [0, 2], [0]]
    >>> sum(len(w) for w in window_offsets((1, 2, 4, 8))[1:])  # columns a step: 8 + 4 + 2 + 1
    15
    """
    checked = check_ints(dilations, "dilations", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    windows = [[0]]
    for d in reversed(checked):
        windows.append(sorted({s + j * d for s in windows[-1] for j in range(k)}))
    return windows[::-1]


def _window_step(
    stack: WaveNetStack, history: list[torch.Tensor], plan: list[tuple[list[int], list[list[int]]]]
) -> tuple[torch.Tensor, int]:
    """The stack's output at the last step of ``history``, computing only the columns that output reads.

    ``plan`` holds, for each layer, the offsets of its window and, for each, the positions in the window
    below of its ``k`` taps (oldest first). Offsets before the start are the causal padding: not computed,
    read as zeros. Returns the (N, C) output and the number of columns computed.
    """
    t = len(history) - 1
    below = window_offsets(stack.dilations, stack.kernel_size)[0]
    zero = history[0].new_zeros(history[0].shape)
    values = torch.stack([history[t - s] if s <= t else zero for s in below], dim=-1)  # (N, C, window)
    columns = 0
    layers = zip(cast("list[nn.Conv1d]", list(stack.dilated)), stack.mix, plan)
    for conv, mix, (offsets, taps) in layers:
        live = [n for n, s in enumerate(offsets) if s <= t]  # the columns after the start
        index = torch.tensor([taps[n] for n in live])  # (live, k): positions in the window below
        reads = values[..., index]  # (N, C, live, k)
        bias = cast("torch.Tensor", conv.bias)  # the stack's convolutions have biases
        h = torch.einsum("ncwj,ocj->now", reads, conv.weight) + bias[:, None]  # (N, 2C or C, live)
        y = mix(_gate(stack, h))  # (N, C, live)
        own = values[..., index[:, -1]]  # the layer's input at the same steps: its last tap, j = k - 1
        out = values.new_zeros(*values.shape[:2], len(offsets))  # zeros before the start: the next padding
        out[..., live] = own + y if stack.residual else y
        values = out
        columns += len(live)
    return values[..., 0], columns


def generate(stack: WaveNetStack, seed: torch.Tensor, steps: int, *, cached: bool = True) -> Generation:
    """Run ``stack`` autoregressively: ``x_(t+1) = tanh(stack(x_0 .. x_t)[..., t])``, for ``steps`` steps.

    WaveNet generates audio this way, one sample at a time, each fed back as the next input (here the
    stack's output squashed by ``tanh`` stands in for sampling from its predicted distribution).

    - ``cached=False``, without memory between steps: each step computes, in every layer, only the columns
      that the new output reads (:func:`window_offsets`), from the last samples of the history. With
      kernel 2 and dilations 1, 2, 4, ..., that is ``2^M - 1`` columns a step for ``M`` layers, one less than
      the receptive field ``R``: work proportional to ``R``, although all but ``M`` of those columns were
      computed at earlier steps.
    - ``cached=True``, Paine et al.'s fast generation ("Fast Wavenet Generation Algorithm",
      arXiv:1611.09482): each layer keeps a queue of its last ``d (k - 1) + 1`` inputs (zeros before the
      start, which is the causal padding); a step pushes the new input, computes the one new column from
      the queue (:func:`queue_step`), and passes it up: ``M`` columns a step.

    Both compute the same sequence (to float rounding: the sums are the same, their grouping may differ).
    Steps before the field is full compute fewer columns (nothing before the start is computed).

    Parameters
    ----------
    stack : the model, (N, C, L) -> (N, C, L)
    seed : (N, C), the first sample ``x_0``, in the stack's dtype
    steps : how many samples to generate, >= 0
    cached : which way (above)

    Returns
    -------
    Generation
        ``samples`` (N, C, steps + 1), ``columns`` the columns computed.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> stack = WaveNetStack(2, dilations=(1, 2, 4)).double()  # receptive field 8
    >>> seed = torch.ones(1, 2, dtype=torch.float64)  # (N, C)
    >>> fast, slow = generate(stack, seed, 20), generate(stack, seed, 20, cached=False)
    >>> fast.samples.shape, torch.allclose(fast.samples, slow.samples, rtol=0, atol=1e-12)
    (torch.Size([1, 2, 21]), True)
    >>> fast.columns, slow.columns  # 3 layers x 20 steps; 7 columns a step once t >= 4 (1 + 2 + 4), fewer before
    (60, 124)
    """
    if not isinstance(stack, WaveNetStack):
        raise TypeError(tr("stack must be a WaveNetStack, got {type}", type=type(stack).__name__))
    if not isinstance(seed, torch.Tensor):
        raise TypeError(tr("seed must be a torch.Tensor, got {type}", type=type(seed).__name__))
    if seed.ndim != 2 or seed.shape[1] != stack.channels:
        raise ValueError(
            tr("seed must have shape (N, {channels}), got {shape}", channels=stack.channels, shape=tuple(seed.shape))
        )
    n_steps = check_int(steps, "steps", minimum=0)
    check_bool(cached, "cached")
    layers = len(stack.dilations)
    samples = [seed]
    columns = 0
    with torch.no_grad():
        if cached:
            span = [d * (stack.kernel_size - 1) + 1 for d in stack.dilations]  # each layer's queue length
            queues = [seed.new_zeros(*seed.shape, length) for length in span]  # (N, C, span): zeros before t = 0
            for _ in range(n_steps):
                out, queues = queue_step(stack, samples[-1], queues)  # (N, C)
                columns += layers
                samples.append(torch.tanh(out))
        else:
            windows = window_offsets(stack.dilations, stack.kernel_size)
            plan = []
            for d, (below, offsets) in zip(stack.dilations, zip(windows, windows[1:])):
                where = {s: n for n, s in enumerate(below)}
                k = stack.kernel_size
                plan.append((offsets, [[where[s + (k - 1 - j) * d] for j in range(k)] for s in offsets]))
            for _ in range(n_steps):
                out, computed = _window_step(stack, samples, plan)
                columns += computed
                samples.append(torch.tanh(out))
    return Generation(torch.stack(samples, dim=-1), columns)


# --- 2-D: atrous spatial pyramid pooling ---------------------------------------------------------------------


def _axis_counts(n: int, rate: int, k: int) -> np.ndarray:
    """(n,): how many of the taps ``(j - k // 2) * rate``, j = 0 .. k-1, land inside 0 .. n-1 from each position."""
    positions = np.arange(n)[:, None] + (np.arange(k) - k // 2)[None, :] * rate  # (n, k)
    counts: np.ndarray = ((positions >= 0) & (positions < n)).sum(axis=1)
    return counts


def valid_tap_counts(size: int | tuple[int, int], rate: int, kernel_size: int = 3) -> np.ndarray:
    """How many of a ``k x k`` kernel's taps, with dilation ``rate`` and "same" padding, land on the map.

    Output pixel ``(i, j)`` reads ``(i + a * rate, j + b * rate)`` for ``a, b`` in ``-(k // 2) .. k // 2``;
    a tap is valid when it lands inside the ``H x W`` map and not on the zero padding. Rows and columns
    are independent, so the count is the product of one count per axis.

    Parameters
    ----------
    size : H, or (H, W), of the feature map
    rate : the dilation (DeepLab's atrous rate), >= 1
    kernel_size : k, odd

    Returns
    -------
    (H, W) int64 array, values in 1 .. k^2 (the centre tap is always valid).

    Examples
    --------
    A 3x3 kernel at rate 2 on a 5x5 map: per axis, positions 0, 1, 3, 4 lose one tap, position 2 none.

    >>> valid_tap_counts(5, 2)  # (H, W): the outer product of [2, 2, 3, 2, 2] with itself
    array([[4, 4, 6, 4, 4],
           [4, 4, 6, 4, 4],
           [6, 6, 9, 6, 6],
           [4, 4, 6, 4, 4],
           [4, 4, 6, 4, 4]])
    >>> int(valid_tap_counts(33, 33).max())  # rate >= size: only the centre tap is left
    1
    """
    h, w = check_tuple(size, "size", 2, minimum=1)
    r = check_int(rate, "rate", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    if k % 2 == 0:
        raise ValueError(tr("kernel_size must be odd (a centre tap, symmetric padding), got {value}", value=k))
    return np.outer(_axis_counts(h, r, k), _axis_counts(w, r, k)).astype(np.int64)


def valid_tap_fraction(size: int | tuple[int, int], rate: int, kernel_size: int = 3) -> float:
    """The share of a ``k x k`` kernel's taps that land on the map, over all output pixels.

    ``valid_tap_counts(size, rate, kernel_size).mean() / k**2``; 1 when no tap ever reads padding, ``1 / k**2``
    when only the centre tap is left (``rate >= H`` and ``rate >= W``).

    Examples
    --------
    >>> valid_tap_fraction(5, 2)  # (11 / 5)^2 / 9: the mean of [2, 2, 3, 2, 2] is 11 / 5 per axis
    0.5377777777777778
    >>> round(valid_tap_fraction(33, 1), 4)  # (97 / 33)^2 / 9: only the border loses taps
    0.96
    >>> valid_tap_fraction(33, 40) == 1 / 9  # rate >= size: the centre tap alone
    True
    """
    k = check_int(kernel_size, "kernel_size", minimum=1)
    return float(valid_tap_counts(size, rate, k).mean() / k**2)


class ASPP(nn.Module):
    """Atrous spatial pyramid pooling, DeepLab v3's or v2's: (N, C_in, H, W) -> (N, C_out, H, W).

    **v3** (Chen et al. 2017), rates (6, 12, 18) by default: parallel branches, each a convolution
    followed by a ReLU,

    - a 1x1 convolution,
    - one 3x3 convolution per rate ``r``, with dilation ``r`` and padding ``r`` (the size is kept),
    - image pooling (``image_pooling=True``): the mean over H and W, a 1x1 convolution, spread back over
      H x W (bilinear upsampling from 1x1 copies the value),

    concatenated to ``(2 + len(rates)) * C_out`` channels (one fewer without pooling), then a 1x1
    projection to ``C_out`` and a ReLU. DeepLab v3 puts batch normalisation after every convolution;
    it is left out here, and every convolution has a bias instead.

    **v2** (Chen et al., TPAMI 2018), rates (6, 12, 18, 24) by default: one 3x3 convolution per rate, straight
    to ``C_out`` (the class scores), and the branches summed; no 1x1 branch, no pooling, no ReLU. That is v2's
    ResNet-101 model; its VGG-16 model (ASPP-L) adds two 1x1 layers to each branch.

    Parameters
    ----------
    in_channels, out_channels : C_in, C_out
    rates : the 3x3 branches' dilations; ``ASPP_RATES[variant]`` when None
    variant : ``"v3"`` or ``"v2"``
    image_pooling : v3 only; True when None for v3

    Attributes
    ----------
    branches : the convolutions applied to the input: v3's 1x1 first, then one 3x3 per rate
    pool : v3's image-pooling 1x1 convolution, or None
    project : v3's 1x1 projection, or None

    Examples
    --------
    >>> aspp = ASPP(8, 4)  # v3: 1x1, rates 6, 12, 18, image pooling
    >>> x = torch.randn(2, 8, 33, 33)  # (N, C_in, H, W)
    >>> aspp(x).shape  # padding = rate keeps H and W
    torch.Size([2, 4, 33, 33])
    >>> aspp.project.in_channels  # five branches of C_out = 4, concatenated
    20
    >>> ASPP(8, 21, variant="v2").rates, ASPP(8, 21, variant="v2")(x).shape  # four summed branches
    ((6, 12, 18, 24), torch.Size([2, 21, 33, 33]))
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        rates: Sequence[int] | None = None,
        variant: Variant = "v3",
        image_pooling: bool | None = None,
    ) -> None:
        super().__init__()
        self.in_channels = check_int(in_channels, "in_channels", minimum=1)
        self.out_channels = check_int(out_channels, "out_channels", minimum=1)
        self.variant = check_choice(variant, "variant", ("v3", "v2"))
        self.rates = ASPP_RATES[self.variant] if rates is None else check_ints(rates, "rates", minimum=1)
        if image_pooling is None:
            image_pooling = self.variant == "v3"
        if not isinstance(image_pooling, bool):
            raise TypeError(tr("image_pooling must be True, False or None, got {value!r}", value=image_pooling))
        if image_pooling and self.variant == "v2":
            raise ValueError(tr("image_pooling: DeepLab v2's ASPP has no image pooling (it came with v3)"))
        self.image_pooling = image_pooling
        c_in, c_out = self.in_channels, self.out_channels
        atrous = [nn.Conv2d(c_in, c_out, 3, padding=r, dilation=r) for r in self.rates]
        if self.variant == "v3":
            self.branches = nn.ModuleList([nn.Conv2d(c_in, c_out, 1), *atrous])
            self.pool: nn.Conv2d | None = nn.Conv2d(c_in, c_out, 1) if image_pooling else None
            self.project: nn.Conv2d | None
            n_concat = len(self.branches) + int(image_pooling)
            self.project = nn.Conv2d(n_concat * c_out, c_out, 1)
        else:
            self.branches = nn.ModuleList(atrous)
            self.pool = None
            self.project = None

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """(N, C_in, H, W) -> (N, C_out, H, W)."""
        check_feature_map(input, self.in_channels)
        if self.project is None:  # v2: the branches' sum
            return torch.stack([branch(input) for branch in self.branches]).sum(dim=0)
        features = [F.relu(branch(input)) for branch in self.branches]  # each (N, C_out, H, W)
        if self.pool is not None:
            pooled = F.relu(self.pool(input.mean(dim=(2, 3), keepdim=True)))  # (N, C_out, 1, 1)
            features.append(pooled.expand(-1, -1, *input.shape[2:]))
        return F.relu(self.project(torch.cat(features, dim=1)))  # (N, n_concat * C_out, H, W) -> (N, C_out, H, W)

    def extra_repr(self) -> str:
        return f"variant={self.variant!r}, rates={self.rates}, image_pooling={self.image_pooling}"
