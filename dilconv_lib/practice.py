"""Dense prediction (notebook 08): degridding, transposed convolution, DeepLab's atrous ideas; TCNs (notebook 07);
where a field sits (notebook 04).

Dilation instead of stride in a backbone (ResNet's layers, output stride, field and cost) is
:mod:`dilconv_lib.backbone`.

**Degridding.** Dilated Residual Networks (Yu, Koltun & Funkhouser, CVPR 2017): :func:`drn_blocks` lists
the dilations of DRN's levels 5 and 6 and of the degridding levels 7 and 8, :func:`block_response` pushes an
impulse through such blocks (residual or not), and :func:`lattice_share` measures the grid left in it.

**Transposed versus dilated.** :func:`insert_zeros` puts zeros between input pixels; with it,
:func:`conv_transpose2d_by_zero_insertion` computes ``F.conv_transpose2d`` as an ordinary convolution.

**DeepLab.** :func:`multi_grid_rates` and :func:`cascade_rates` (v3's Multi-Grid), :func:`conv_cost` (weights
and multiply-adds of an ordinary, grouped or depthwise-separable convolution, v3+).

**Sequences.** :class:`TCN` is a temporal convolutional network (Bai, Kolter & Koltun 2018) of residual
blocks of two causal dilated convolutions (:func:`dilconv_lib.beyond.causal_conv1d`); :func:`echo_batch` and
:func:`train_echo` make and fit a task whose answer lies ``delay`` steps back.

**Where the field sits.** :func:`field_geometry` computes Araujo, Norris & Sim's (Distill 2019) effective
stride, effective padding and receptive field, and with them the span and centre of any output's field;
:func:`conv1d_stack` and :func:`input_support` check them by gradient.

The notebook's exercises are checked by :mod:`dilconv_lib.exercises.practice`. Formulas live in
:mod:`dilconv_lib.geometry`; arguments are checked by :mod:`dilconv_lib.checks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dilconv_lib.beyond import causal_conv1d
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
    "DRN_VARIANTS",
    "FieldGeometry",
    "TCN",
    "block_response",
    "cascade_rates",
    "conv1d_stack",
    "conv_cost",
    "conv_transpose2d_by_zero_insertion",
    "drn_blocks",
    "echo_batch",
    "field_geometry",
    "input_support",
    "insert_zeros",
    "lattice_share",
    "multi_grid_rates",
    "train_echo",
]

#: The three variants of Dilated Residual Networks that :func:`drn_blocks` describes.
DRN_VARIANTS = ("A", "B", "C")


# --- Dilated Residual Networks: degridding ---------------------------------------------------------------------

Block = tuple[tuple[int, ...], bool]


def drn_blocks(variant: str) -> tuple[Block, ...]:
    """The 3x3 dilations of DRN-26's levels 5 to 8, at output stride 8, as ``(dilations, residual)`` blocks.

    Levels 5 and 6 (two residual blocks each, dilations 2 and 4; a level's first convolution keeps half its
    dilation, as the paper's conversion does; the released code, fyu/drn, starts them at full dilation) are what
    DRN-A has after ResNet's level 4. DRN-B appends levels 7 and 8
    (dilations 2 and 1) as residual blocks; DRN-C appends them without residual connections, which is what
    removes the grid (Yu, Koltun & Funkhouser, "Dilated Residual Networks", CVPR 2017).

    Examples
    --------
    >>> drn_blocks("C")[-2:]
    (((2, 2), False), ((1, 1), False))
    """
    v = check_choice(variant, "variant", DRN_VARIANTS)
    levels_5_6: tuple[Block, ...] = (((1, 2), True), ((2, 2), True), ((2, 4), True), ((4, 4), True))
    if v == "A":
        return levels_5_6
    residual = v == "B"
    return (*levels_5_6, ((2, 2), residual), ((1, 1), residual))


def _check_blocks(blocks: Any) -> list[Block]:
    if isinstance(blocks, (str, bytes)) or not isinstance(blocks, Sequence) or len(blocks) == 0:
        raise ValueError(
            tr("blocks must be a non-empty sequence of (dilations, residual) pairs, got {value!r}", value=blocks)
        )
    out = []
    for i, block in enumerate(blocks):
        if not (isinstance(block, (tuple, list)) and len(block) == 2):
            raise ValueError(
                tr("blocks[{index}] must be a (dilations, residual) pair, got {value!r}", index=i, value=block)
            )
        out.append(
            (check_ints(block[0], f"blocks[{i}] dilations", minimum=1), check_bool(block[1], f"blocks[{i}] residual"))
        )
    return out


def block_response(blocks: Sequence[Block], *, kernel_size: int = 3) -> np.ndarray:
    """One pixel pushed through blocks of averaging ``k x k`` convolutions: where its mass ends up.

    Each convolution averages its ``k^2`` taps (every weight ``1 / k^2``, padding that keeps the size); a
    residual block adds its input to the output of its convolutions. Linear and non-negative, the response is
    what a layer's gradient looks like when nothing cancels, so a grid in it is a grid in what the network
    can compute from one feature.

    Parameters
    ----------
    blocks : ``(dilations, residual)`` pairs, e.g. :func:`drn_blocks`
    kernel_size : k, odd

    Returns
    -------
    (R, R) float64 array summing to 1, centred on the pixel, ``R = 1 + (k - 1) * (sum of all dilations)``.

    Examples
    --------
    >>> r = block_response([((2,), False)])  # one 3x3 layer, dilation 2: 9 taps of 1/9 on a 5x5 grid
    >>> r.shape, float(r[0, 0] * 9), float(r[1, 1])
    ((5, 5), 1.0, 0.0)
    >>> float(block_response([((2,), True)])[2, 2])  # residual: the pixel itself keeps (1 + 1/9) / 2
    0.5555555555555556
    """
    checked = _check_blocks(blocks)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    if k % 2 == 0:
        raise ValueError(tr("kernel_size must be odd (a centre tap), got {value}", value=k))
    response = np.ones((1, 1))
    for dilations, residual in checked:
        branch = response
        for d in dilations:
            n, grown = branch.shape[0], np.zeros((branch.shape[0] + (k - 1) * d,) * 2)
            for a in range(k):
                for b in range(k):
                    grown[a * d : a * d + n, b * d : b * d + n] += branch / k**2
            branch = grown
        if residual:
            margin = (branch.shape[0] - response.shape[0]) // 2
            branch = branch + np.pad(response, margin)
        response = branch
    normalised: np.ndarray = response / response.sum()
    return normalised


def lattice_share(response: np.ndarray, period: int) -> float:
    """The share of a centred response on the offsets that are multiples of ``period`` along both axes.

    A response spread evenly over its square puts about ``1 / period^2`` there; a response that a stack of
    dilation-``period`` layers left on its lattice puts everything there.

    Parameters
    ----------
    response : (R, R), non-negative, R odd, centred (e.g. :func:`block_response`)
    period : >= 1

    Examples
    --------
    >>> lattice_share(block_response([((2,), False), ((2,), False)]), 2)  # dilation 2 never leaves the lattice
    1.0
    >>> lattice_share(np.ones((3, 3)), 2)  # the centre only: 1 of 9
    0.1111111111111111
    """
    r = np.asarray(response, dtype=np.float64)
    p = check_int(period, "period", minimum=1)
    if r.ndim != 2 or r.shape[0] != r.shape[1] or r.shape[0] % 2 == 0:
        raise ValueError(tr("response must be a square (R, R) array with R odd, got shape {shape}", shape=r.shape))
    if (r < 0).any() or r.sum() <= 0:
        raise ValueError(tr("response must be non-negative with a positive sum"))
    on = (np.arange(r.shape[0]) - r.shape[0] // 2) % p == 0  # (R,): offsets from the centre on the lattice
    return float(r[np.ix_(on, on)].sum() / r.sum())


# --- Transposed versus dilated ---------------------------------------------------------------------------------


def insert_zeros(input: torch.Tensor, factor: int) -> torch.Tensor:
    """Put ``factor - 1`` zeros between neighbouring pixels: (N, C, H, W) -> (N, C, (H-1)s + 1, (W-1)s + 1).

    The zeros go between the **input's** pixels; a dilated kernel has them between its **taps**.

    Examples
    --------
    >>> insert_zeros(torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]]), 2)[0, 0]
    tensor([[1., 0., 2.],
            [0., 0., 0.],
            [3., 0., 4.]])
    """
    if not isinstance(input, torch.Tensor) or input.ndim != 4:
        raise ValueError(
            tr("input must be a (N, C, H, W) tensor, got {value}", value=getattr(input, "shape", type(input).__name__))
        )
    s = check_int(factor, "factor", minimum=1)
    n, c, h, w = input.shape
    out = input.new_zeros(n, c, (h - 1) * s + 1, (w - 1) * s + 1)
    out[:, :, ::s, ::s] = input
    return out


def conv_transpose2d_by_zero_insertion(
    input: torch.Tensor,
    weight: torch.Tensor,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> torch.Tensor:
    """``F.conv_transpose2d`` as an ordinary convolution: zeros between input pixels, a flipped kernel.

    Insert ``s - 1`` zeros between the input's pixels (:func:`insert_zeros`), pad ``d (k - 1) - p`` on every
    side, and correlate with the kernel flipped in both axes and its two channel axes swapped, at stride 1
    and dilation ``d``. The stride of a transposed convolution puts holes in the **input**; its dilation,
    like any convolution's, puts them in the **kernel**.

    Parameters
    ----------
    input : (N, C_in, H, W)
    weight : (C_in, C_out, k, k), ``ConvTranspose2d``'s layout
    stride, padding, dilation : as in ``F.conv_transpose2d``, with ``padding <= d (k - 1)``

    Returns
    -------
    (N, C_out, (H - 1) s - 2p + d (k - 1) + 1, same for W)

    Examples
    --------
    >>> x, w = torch.randn(1, 2, 4, 4, dtype=torch.float64), torch.randn(2, 3, 3, 3, dtype=torch.float64)
    >>> y = conv_transpose2d_by_zero_insertion(x, w, stride=2, dilation=2)
    >>> y.shape, bool(torch.allclose(y, F.conv_transpose2d(x, w, stride=2, dilation=2)))  # (4 - 1) 2 + 2 (3 - 1) + 1
    (torch.Size([1, 3, 11, 11]), True)
    """
    check_tensors(input, weight, None)
    if input.ndim != 4 or weight.ndim != 4 or weight.shape[0] != input.shape[1] or weight.shape[2] != weight.shape[3]:
        raise ValueError(
            tr(
                "input must be (N, C_in, H, W) and weight (C_in, C_out, k, k), got shapes {input_shape} "
                "and {weight_shape}",
                input_shape=tuple(input.shape),
                weight_shape=tuple(weight.shape),
            )
        )
    s = check_int(stride, "stride", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    p = check_int(padding, "padding", minimum=0)
    full = d * (weight.shape[-1] - 1)
    if p > full:
        raise ValueError(tr("padding must be at most d (k - 1) = {full}, got {value}", full=full, value=p))
    flipped = weight.flip(-1, -2).transpose(0, 1)  # (C_out, C_in, k, k)
    return F.conv2d(insert_zeros(input, s), flipped, padding=full - p, dilation=d)


# --- DeepLab: Multi-Grid, separable convolution ----------------------------------------------------------------


def multi_grid_rates(block_rate: int, unit_rates: Sequence[int] = (1, 2, 4)) -> tuple[int, ...]:
    """DeepLab v3's Multi-Grid: the rates of a block's three 3x3 convolutions, ``unit_rates * block_rate``.

    Examples
    --------
    >>> multi_grid_rates(2)  # v3's example: output stride 16, block4
    (2, 4, 8)
    """
    r = check_int(block_rate, "block_rate", minimum=1)
    return tuple(u * r for u in check_ints(unit_rates, "unit_rates", minimum=1))


def cascade_rates(block_rates: Sequence[int] = (2, 4, 8, 16), unit_rates: Sequence[int] = (1, 2, 4)) -> tuple[int, ...]:
    """The 3x3 rates of DeepLab v3's cascaded blocks (block4 .. block7 at output stride 16), one after the other.

    Examples
    --------
    >>> cascade_rates((2, 4), (1, 2, 1))
    (2, 4, 2, 4, 8, 4)
    """
    units = check_ints(unit_rates, "unit_rates", minimum=1)
    return tuple(rate for b in check_ints(block_rates, "block_rates", minimum=1) for rate in multi_grid_rates(b, units))


def conv_cost(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    size: int | tuple[int, int],
    *,
    separable: bool = False,
    groups: int = 1,
) -> tuple[int, int]:
    """Weights and multiply-adds of a k x k convolution that keeps an (H, W) map's size; biases excluded.

    Ordinary: ``C_out * C_in / groups * k^2`` weights, times ``H W`` multiply-adds. Depthwise-separable
    (Xception; DeepLab v3+'s atrous separable convolution): a depthwise ``k x k`` convolution (``groups =
    C_in``, ``C_in k^2`` weights) then a pointwise 1x1 (``C_in C_out``). Dilation changes neither count.

    Parameters
    ----------
    in_channels, out_channels : C_in, C_out
    kernel_size : k
    size : H, or (H, W), of the output
    separable : depthwise then pointwise
    groups : of the ordinary convolution (ignored when ``separable``)

    Returns
    -------
    (weights, multiply_adds)

    Examples
    --------
    >>> conv_cost(256, 256, 3, 33)  # 256 * 256 * 9 weights, each used at 33 * 33 positions
    (589824, 642318336)
    >>> conv_cost(256, 256, 3, 33, separable=True)  # 256 * 9 + 256 * 256
    (67840, 73877760)
    """
    c_in = check_int(in_channels, "in_channels", minimum=1)
    c_out = check_int(out_channels, "out_channels", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    h, w = check_tuple(size, "size", 2, minimum=1)
    g = check_int(groups, "groups", minimum=1)
    if check_bool(separable, "separable"):
        weights = c_in * k * k + c_in * c_out
    else:
        if c_in % g or c_out % g:
            raise ValueError(
                tr(
                    "groups={groups} must divide in_channels={in_channels} and out_channels={out_channels}",
                    groups=g,
                    in_channels=c_in,
                    out_channels=c_out,
                )
            )
        weights = c_out * (c_in // g) * k * k
    return weights, weights * h * w


# --- Temporal convolutional networks -------------------------------------------------------------------------


class TCN(nn.Module):
    """A temporal convolutional network: residual blocks of two causal dilated convolutions, then a 1x1 head.

    Block ``i`` (Bai, Kolter & Koltun 2018, Figure 1, without weight normalisation and dropout):
    ``h = relu(causal(x, d_i)); h = relu(causal(h, d_i)); x = relu(h + W x)``, with ``W`` a 1x1 convolution
    where the channels change and the identity elsewhere. Each block widens the field by ``2 (k - 1) d_i``.

    Parameters
    ----------
    in_channels, out_channels : of the sequence in and of the head's output
    channels : of every block
    dilations : one per block (Bai et al. double them: 1, 2, 4, ...)
    kernel_size : k

    Examples
    --------
    >>> tcn = TCN(1, 1, dilations=(1, 2, 4, 8))
    >>> tcn.receptive_field  # 1 + 2 * 2 * (1 + 2 + 4 + 8)
    61
    >>> tcn(torch.randn(2, 1, 100)).shape  # (N, C_out, L)
    torch.Size([2, 1, 100])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        channels: int = 16,
        dilations: Sequence[int] = (1, 2, 4, 8),
        kernel_size: int = 3,
    ) -> None:
        super().__init__()
        self.in_channels = check_int(in_channels, "in_channels", minimum=1)
        c_out = check_int(out_channels, "out_channels", minimum=1)
        c = check_int(channels, "channels", minimum=1)
        self.dilations = check_ints(dilations, "dilations", minimum=1)
        self.kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
        self.first = nn.ModuleList(
            nn.Conv1d(self.in_channels if i == 0 else c, c, self.kernel_size) for i in range(len(self.dilations))
        )
        self.second = nn.ModuleList(nn.Conv1d(c, c, self.kernel_size) for _ in self.dilations)
        self.project = nn.Conv1d(self.in_channels, c, 1) if self.in_channels != c else None
        self.head = nn.Conv1d(c, c_out, 1)

    @property
    def receptive_field(self) -> int:
        """``1 + 2 (k - 1) sum_i d_i``: :func:`dilconv_lib.geometry.receptive_fields`, two convolutions a block."""
        doubled = [d for d in self.dilations for _ in range(2)]
        return receptive_fields([self.kernel_size] * len(doubled), doubled)[-1]

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """(N, C_in, L) -> (N, C_out, L); output ``t`` reads inputs ``t - receptive_field + 1 .. t`` only."""
        check_feature_map(input, self.in_channels, axes="NCL")
        x = input
        for i, d in enumerate(self.dilations):
            conv1, conv2 = cast(nn.Conv1d, self.first[i]), cast(nn.Conv1d, self.second[i])
            h = F.relu(causal_conv1d(x, conv1.weight, conv1.bias, dilation=d))
            h = F.relu(causal_conv1d(h, conv2.weight, conv2.bias, dilation=d))
            skip = self.project(x) if i == 0 and self.project is not None else x
            x = F.relu(h + skip)
        out: torch.Tensor = self.head(x)  # (N, C_out, L)
        return out


def echo_batch(
    batch: int, length: int, delay: int, *, generator: torch.Generator | None = None, dtype: torch.dtype = torch.float32
) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of the echo task: the target at step ``t`` is the input at step ``t - delay`` (0 before the start).

    Inputs are independent standard normal steps, so nothing but step ``t - delay`` predicts the target:
    a causal model whose field is shorter than ``delay + 1`` can do no better than predicting 0 (a mean
    squared error of 1 on the steps ``t >= delay``).

    Returns
    -------
    (input, target), both (batch, 1, length).

    Examples
    --------
    >>> x, y = echo_batch(2, 6, 2, generator=torch.Generator().manual_seed(0))
    >>> bool(torch.equal(y[..., 2:], x[..., :-2])), y[..., :2].abs().sum().item()
    (True, 0.0)
    """
    n = check_int(batch, "batch", minimum=1)
    n_steps = check_int(length, "length", minimum=1)
    lag = check_int(delay, "delay", minimum=0)
    if lag >= n_steps:
        raise ValueError(tr("delay must be less than length ({length}), got {value}", length=n_steps, value=lag))
    x = torch.randn(n, 1, n_steps, generator=generator, dtype=dtype)
    return x, F.pad(x, (lag, 0))[..., :n_steps]


def train_echo(
    model: nn.Module,
    *,
    delay: int,
    steps: int = 150,
    batch: int = 16,
    length: int = 128,
    lr: float = 1e-2,
    seed: int = 0,
) -> list[float]:
    """Fit ``model`` to :func:`echo_batch` with Adam; return the loss (MSE on steps ``t >= delay``) of each step.

    The batches come from a generator seeded with ``seed``; torch's global generator is left alone.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> losses = train_echo(TCN(1, 1, channels=4, dilations=(1, 2)), delay=3, steps=5)
    >>> len(losses), losses[-1] < losses[0]
    (5, True)
    """
    n_steps = check_int(steps, "steps", minimum=1)
    lag = check_int(delay, "delay", minimum=0)
    if not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(tr("lr must be a positive number, got {value!r}", value=lr))
    generator = torch.Generator().manual_seed(check_int(seed, "seed", minimum=0))
    dtype = next(iter(model.parameters())).dtype
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(n_steps):
        x, y = echo_batch(batch, length, lag, generator=generator, dtype=dtype)
        loss = F.mse_loss(model(x)[..., lag:], y[..., lag:])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    return losses


# --- Where the receptive field sits (Araujo, Norris & Sim 2019) -------------------------------------------------


@dataclass(frozen=True)
class FieldGeometry:
    """Receptive field ``r``, effective stride ``S`` and effective padding ``P`` of a 1-D stack.

    Output ``f`` reads inputs ``u(f) = f S - P`` to ``v(f) = u(f) + r - 1`` (some of them padding); the centre
    of its field is ``f S - P + (r - 1) / 2``.
    """

    receptive_field: int
    effective_stride: int
    effective_padding: int

    def span(self, position: int) -> tuple[int, int]:
        """(first, last) input index read by output ``position``; may reach below 0 or past the end (padding)."""
        f = check_int(position, "position", minimum=0)
        first = f * self.effective_stride - self.effective_padding
        return first, first + self.receptive_field - 1

    def centre(self, position: int) -> float:
        """The centre of output ``position``'s field, in input coordinates: ``f S - P + (r - 1) / 2``."""
        first, last = self.span(position)
        return (first + last) / 2


def field_geometry(
    kernel_sizes: Sequence[int],
    strides: Sequence[int],
    paddings: Sequence[int],
    dilations: Sequence[int] | None = None,
) -> FieldGeometry:
    """Araujo et al.'s closed forms for a stack, layer 1 nearest the input.

    ``r = 1 + sum_l d_l (k_l - 1) J_l``, ``S = prod_l s_l``, ``P = sum_l p_l J_l``, with ``J_l = prod_{j<l} s_j``
    the jump of layer l's input grid (``p_l`` the padding on the left; the field's position does not depend on
    the padding on the right). ``r`` comes from :func:`dilconv_lib.geometry.receptive_fields`.

    Examples
    --------
    ResNet's stem: a 7-tap convolution, stride 2, padding 3, then 3-tap pooling, stride 2, padding 1.

    >>> g = field_geometry([7, 3], [2, 2], [3, 1])
    >>> g, g.span(0), g.centre(5)  # r = 1 + 6 + 2 * 2, P = 3 + 1 * 2; centre 4 f
    (FieldGeometry(receptive_field=11, effective_stride=4, effective_padding=5), (-5, 5), 20.0)
    """
    ks = check_ints(kernel_sizes, "kernel_sizes", minimum=1)
    ss = check_ints(strides, "strides", minimum=1, length=len(ks))
    ps = check_ints(paddings, "paddings", minimum=0, length=len(ks))
    ds = (1,) * len(ks) if dilations is None else check_ints(dilations, "dilations", minimum=1, length=len(ks))
    padding, jump = 0, 1
    for p, s in zip(ps, ss):
        padding += p * jump
        jump *= s
    return FieldGeometry(receptive_fields(ks, ds, ss)[-1], jump, padding)


def conv1d_stack(
    kernel_sizes: Sequence[int],
    strides: Sequence[int],
    paddings: Sequence[int],
    dilations: Sequence[int] | None = None,
    *,
    dtype: torch.dtype = torch.float64,
) -> nn.Sequential:
    """One-channel ``nn.Conv1d`` layers with every weight 1 and no bias: (N, 1, L) -> (N, 1, L_out).

    With positive weights no gradient cancels, so :func:`input_support` finds every input a position reads.

    Examples
    --------
    >>> conv1d_stack([3, 3], [2, 1], [1, 1])(torch.ones(1, 1, 8, dtype=torch.float64))[0, 0].tolist()  # 2 3 3 3, then
    [5.0, 8.0, 9.0, 6.0]
    """
    ks = check_ints(kernel_sizes, "kernel_sizes", minimum=1)
    ss = check_ints(strides, "strides", minimum=1, length=len(ks))
    ps = check_ints(paddings, "paddings", minimum=0, length=len(ks))
    ds = (1,) * len(ks) if dilations is None else check_ints(dilations, "dilations", minimum=1, length=len(ks))
    layers = []
    for k, s, p, d in zip(ks, ss, ps, ds):
        conv = nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d, bias=False, dtype=dtype)
        with torch.no_grad():
            conv.weight.fill_(1.0)
        layers.append(conv)
    return nn.Sequential(*layers)


def input_support(model: nn.Module, length: int, position: int) -> np.ndarray:
    """The inputs that output ``position`` of a 1-D model reads: where its gradient is non-zero.

    Runs ``model`` on ones of shape (1, C_in, length), C_in the first parameter's second axis, in the
    dtype of that parameter, and back-propagates 1 from ``output[0, :, position]``.

    Returns
    -------
    sorted int64 array of input indices (those inside ``0 .. length - 1``; padding has no gradient).

    Examples
    --------
    >>> input_support(conv1d_stack([3, 3], [2, 1], [1, 1]), 16, 3)  # span 2 * 3 - 3 .. + 6: 3 .. 9
    array([3, 4, 5, 6, 7, 8, 9])
    """
    n = check_int(length, "length", minimum=1)
    f = check_int(position, "position", minimum=0)
    first = next(iter(model.parameters()))
    x = torch.ones(1, first.shape[1], n, dtype=first.dtype, requires_grad=True)
    out = model(x)
    if out.ndim != 3 or not f < out.shape[-1]:
        raise ValueError(
            tr(
                "position must lie inside the model's output of shape {shape}, got {value}",
                shape=tuple(out.shape),
                value=f,
            )
        )
    (grad,) = torch.autograd.grad(out[0, :, f].sum(), x)
    return np.flatnonzero(grad[0].abs().sum(dim=0).numpy())
