"""Yu & Koltun's context module (ICLR 2016, Table 1), its identity initialisation, and two baselines.

The context module is eight layers that map C score maps to C score maps at full resolution:
seven 3x3 convolutions with dilations 1, 1, 2, 4, 8, 16, 1, each followed by a ReLU, then a 1x1
convolution. Padding equals dilation, so every layer keeps the height and width; the receptive field
grows as 3, 5, 9, 17, 33, 65, 67, 67 (:func:`dilconv_lib.geometry.receptive_fields`).

- :class:`ContextModule`: the Basic module (C channels everywhere; 64 C^2 weights and 8 C biases) and
  the Large one (2C, 2C, 4C, 8C, 16C, 32C, 32C, C; 15422 C^2 weights and 97 C biases).
- :func:`identity_kernel`: the paper's identity initialisation, Eq. 4 for equal widths and Eq. 5 where
  the width changes.
- :class:`PlainStack`: the same eight layers with dilation 1 everywhere (receptive field 15) and the
  same parameters as the Basic module.
- :class:`DilatedStack`: any rates for the 3x3 layers, then the 1x1 layer, C channels throughout: the module
  with rates that leave holes, or with DRN's extra undilated layers at the end.
- :class:`PoolingNet`: the same eight convolutions again, with 2x2 max pooling after the first three and
  a bilinear upsampling by 8 before the seventh: context from pooling, at the price of resolution;
  ``skip=True`` adds one skip connection from the first convolution's full-resolution output.

Every model maps (N, C, H, W) to (N, C, H, W). Each takes ``init="identity"`` (the paper's), ``"default"``
(PyTorch's) or ``"he"`` (He et al.'s normal initialisation for ReLU networks, zero biases).
:func:`conv_outputs` records what each convolution computes, :func:`multiply_adds` counts the work.
:func:`stored_results` reads the trained comparisons that ``make experiments`` (``tools/experiments.py``) stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any, Literal, cast

import torch
import torch.nn.functional as F
from torch import nn

from dilconv_lib.checks import check_bool, check_choice, check_feature_map, check_int, check_ints, check_real
from dilconv_lib.geometry import receptive_fields
from dilconv_lib.i18n import tr

__all__ = [
    "DILATIONS",
    "KERNEL_SIZES",
    "LARGE_WIDTHS",
    "RELU_AFTER",
    "ContextModule",
    "DilatedStack",
    "PlainStack",
    "PoolingNet",
    "conv_outputs",
    "identity_kernel",
    "multiply_adds",
    "stored_results",
]

Variant = Literal["basic", "large"]
Init = Literal["identity", "default", "he"]
INITS: tuple[str, ...] = ("identity", "default", "he")

#: Table 1: the dilation of layers 1 to 8.
DILATIONS: tuple[int, ...] = (1, 1, 2, 4, 8, 16, 1, 1)
#: Table 1: seven 3x3 layers, then a 1x1 layer.
KERNEL_SIZES: tuple[int, ...] = (3, 3, 3, 3, 3, 3, 3, 1)
#: Table 1: a ReLU after layers 1 to 7, none after layer 8.
RELU_AFTER: tuple[bool, ...] = (True,) * 7 + (False,)
#: Table 1: the Large module's output channels of layers 1 to 8, in multiples of C.
LARGE_WIDTHS: tuple[int, ...] = (2, 2, 4, 8, 16, 32, 32, 1)
#: Eq. 5's noise for the Large module: sigma = LARGE_NOISE * C / c_{i+1}, far below C / c_{i+1}.
LARGE_NOISE = 1e-3


def identity_kernel(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    channels: int,
    noise: float = 0.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Yu & Koltun's identity initialisation of one layer's weight: Eq. 4, or Eq. 5 with widths c_i, c_{i+1}.

    With ``a`` an input channel, ``b`` an output channel, ``t`` the tap's offset from the kernel's
    centre, ``C = channels``, ``c_i = in_channels`` and ``c_{i+1} = out_channels``, Eq. 5 reads

        k^b(t, a) = C / c_{i+1}   if t = 0 and floor(a C / c_i) = floor(b C / c_{i+1}),
                    epsilon       otherwise, epsilon ~ N(0, sigma^2), sigma << C / c_{i+1}.

    Both layers' channels fall into C groups of consecutive channels; output channel ``b`` averages,
    through the centre tap, the input channels of its own group, scaled so that a layer whose channels
    all carry ``x_g / c_i * C`` for group ``g`` passes on ``x_g / c_{i+1} * C``: after the last layer
    (``c_{i+1} = C``) that is ``x_g`` again. With ``c_i = c_{i+1} = C`` the groups are single channels
    and Eq. 5 is Eq. 4, ``k^b(t, a) = 1[t = 0] 1[a = b]``. Here ``sigma = noise * C / c_{i+1}``.

    Parameters
    ----------
    in_channels, out_channels : c_i and c_{i+1}, multiples of ``channels``
    kernel_size : k, odd (the centre tap is t = 0)
    channels : C, the number of groups
    noise : sigma in units of C / c_{i+1}; 0 gives the noise-free kernel
    generator : draws the noise; torch's global generator when None (seed it with ``torch.manual_seed``)

    Returns
    -------
    (c_{i+1}, c_i, k, k) float32 tensor, torch's OIHW weight layout.

    Examples
    --------
    Eq. 4: the centre tap passes each channel to itself.

    >>> identity_kernel(2, 2, 3, 2)[:, :, 1, 1]  # (C_out, C_in) at the centre tap
    tensor([[1., 0.],
            [0., 1.]])

    Eq. 5 from C = 2 to 4 channels: each input channel feeds the two output channels of its group, 1/2 each.

    >>> identity_kernel(2, 4, 1, 2)[:, :, 0, 0]  # (4, 2): b = 0, 1 in group 0; b = 2, 3 in group 1
    tensor([[0.5000, 0.0000],
            [0.5000, 0.0000],
            [0.0000, 0.5000],
            [0.0000, 0.5000]])
    """
    c = check_int(channels, "channels", minimum=1)
    c_in = check_int(in_channels, "in_channels", minimum=1)
    c_out = check_int(out_channels, "out_channels", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    sigma = check_real(noise, "noise", minimum=0)
    if k % 2 == 0:
        raise ValueError(tr("kernel_size must be odd (identity init needs a centre tap), got {value}", value=k))
    for name, width in (("in_channels", c_in), ("out_channels", c_out)):
        if width % c:
            raise ValueError(
                tr(
                    "{name} must be a multiple of channels={channels} (Eq. 5: C divides c_i), got {value}",
                    name=name,
                    channels=c,
                    value=width,
                )
            )
    scale = c / c_out  # C / c_{i+1}
    if sigma > 0:
        weight = torch.randn((c_out, c_in, k, k), generator=generator) * (sigma * scale)
    else:
        weight = torch.zeros((c_out, c_in, k, k))
    group_in = torch.arange(c_in) * c // c_in  # floor(a C / c_i)
    group_out = torch.arange(c_out) * c // c_out  # floor(b C / c_{i+1})
    same_group = group_out[:, None] == group_in[None, :]  # (c_out, c_in)
    centre = weight[:, :, k // 2, k // 2]
    weight[:, :, k // 2, k // 2] = torch.where(same_group, torch.tensor(scale), centre)
    return weight


def _eight_convs(
    channels: int, widths: tuple[int, ...], dilations: tuple[int, ...], kernel_sizes: tuple[int, ...] = KERNEL_SIZES
) -> nn.ModuleList:
    """Table 1's eight convolutions (or any kernel sizes) with the given output widths and dilations;
    padding = dilation (k - 1) / 2 keeps H and W."""
    convs, c_in = [], channels
    for k, d, c_out in zip(kernel_sizes, dilations, widths):
        convs.append(nn.Conv2d(c_in, c_out, k, dilation=d, padding=d * (k - 1) // 2))
        c_in = c_out
    return nn.ModuleList(convs)


def _initialise(
    convs: nn.ModuleList,
    channels: int,
    init: str,
    noise: float,
    generator: torch.Generator | None,
) -> None:
    """Eq. 4 / Eq. 5 weights and zero biases for ``"identity"``; He's normal weights and zero biases for
    ``"he"`` (``kaiming_normal_(nonlinearity="relu")``: variance 2 / fan_in); torch's default otherwise."""
    if init == "he":
        with torch.no_grad():
            for conv in cast("list[nn.Conv2d]", list(convs)):
                nn.init.kaiming_normal_(conv.weight, nonlinearity="relu", generator=generator)
                if conv.bias is not None:
                    conv.bias.zero_()
        return
    if init != "identity":
        return
    with torch.no_grad():
        for conv in cast("list[nn.Conv2d]", list(convs)):
            kernel = identity_kernel(
                conv.in_channels, conv.out_channels, conv.kernel_size[0], channels, noise, generator
            )
            conv.weight.copy_(kernel)
            if conv.bias is not None:
                conv.bias.zero_()


class _EightLayers(nn.Module):
    """Eight convolutions (Table 1's kernel sizes), ReLU after the first seven; shared by two models."""

    kernel_sizes: tuple[int, ...] = KERNEL_SIZES
    relu_after: tuple[bool, ...] = RELU_AFTER
    dilations: tuple[int, ...]
    widths: tuple[int, ...]

    def __init__(
        self,
        channels: int,
        widths: tuple[int, ...],
        dilations: tuple[int, ...],
        init: str,
        noise: float,
        generator: torch.Generator | None,
        kernel_sizes: tuple[int, ...] = KERNEL_SIZES,
    ) -> None:
        super().__init__()
        self.channels = channels
        self.init = init
        self.widths = widths
        self.dilations = dilations
        self.kernel_sizes = kernel_sizes
        self.relu_after = (True,) * (len(kernel_sizes) - 1) + (False,)
        self.convs = _eight_convs(channels, widths, dilations, kernel_sizes)
        _initialise(self.convs, channels, init, noise, generator)

    def layer_receptive_fields(self) -> list[int]:
        """The receptive field after each layer, from :func:`dilconv_lib.geometry.receptive_fields`."""
        return receptive_fields(self.kernel_sizes, self.dilations)

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) -> (N, C, H, W)."""
        check_feature_map(input, self.channels)
        x = input
        for conv, relu in zip(self.convs, self.relu_after):
            x = conv(x)
            if relu:
                x = F.relu(x)
        return x


class ContextModule(_EightLayers):
    """Yu & Koltun's context module (ICLR 2016, Table 1): (N, C, H, W) -> (N, C, H, W).

    ========  ===  ===  ===  ===  ===  ===  ===  ===
    layer       1    2    3    4    5    6    7    8
    conv      3x3  3x3  3x3  3x3  3x3  3x3  3x3  1x1
    dilation    1    1    2    4    8   16    1    1
    ReLU      yes  yes  yes  yes  yes  yes  yes   no
    field       3    5    9   17   33   65   67   67
    Basic       C    C    C    C    C    C    C    C
    Large      2C   2C   4C   8C  16C  32C  32C    C
    ========  ===  ===  ===  ===  ===  ===  ===  ===

    "Basic" and "Large" give each layer's output channels; the input has C. Padding equals dilation,
    so every layer keeps H and W; the fields come from :func:`dilconv_lib.geometry.receptive_fields`.
    Basic has 64 C^2 weights (7 * 9 C^2 + C^2) and 8 C biases; Large has 15422 C^2 weights and 97 C biases.

    Parameters
    ----------
    channels : C, the number of score maps in and out (21 for Pascal VOC)
    variant : ``"basic"`` or ``"large"``
    init : ``"identity"``: the paper's Eq. 4 (Basic) or Eq. 5 with noise (Large), zero biases;
        ``"default"``: PyTorch's default initialisation; ``"he"``: ``kaiming_normal_`` for ReLU, zero biases
    noise : Eq. 5's sigma in units of C / c_{i+1}, for ``variant="large"`` (default 1e-3); the Basic
        module's Eq. 4 has no noise
    generator : draws Eq. 5's noise (and He's weights); torch's global generator when None, so that the
        module is the same after the same ``torch.manual_seed``

    Attributes
    ----------
    dilations : ``(1, 1, 2, 4, 8, 16, 1, 1)``
    kernel_sizes : ``(3, 3, 3, 3, 3, 3, 3, 1)``
    relu_after : ``(True,) * 7 + (False,)``, whether a ReLU follows each layer
    widths : the output channels of layers 1 to 8
    convs : the eight ``nn.Conv2d`` layers

    Examples
    --------
    >>> import torch
    >>> m = ContextModule(3)
    >>> x = torch.rand(2, 3, 16, 20)  # (N, C, H, W), non-negative
    >>> m(x).shape  # padding = dilation keeps H and W
    torch.Size([2, 3, 16, 20])
    >>> bool(torch.equal(m(x), x))  # identity init passes a non-negative input through
    True
    >>> m.dilations, m.layer_receptive_fields()
    ((1, 1, 2, 4, 8, 16, 1, 1), [3, 5, 9, 17, 33, 65, 67, 67])
    >>> sum(c.weight.numel() for c in m.convs) == 64 * 3**2  # 7 layers of 9 C^2, one of C^2
    True
    >>> ContextModule(2, "large").widths  # 2C, 2C, 4C, 8C, 16C, 32C, 32C, C
    (4, 4, 8, 16, 32, 64, 64, 2)
    """

    def __init__(
        self,
        channels: int,
        variant: Variant = "basic",
        init: Init = "identity",
        *,
        noise: float = LARGE_NOISE,
        generator: torch.Generator | None = None,
    ) -> None:
        c = check_int(channels, "channels", minimum=1)
        variant = cast(Variant, check_choice(variant, "variant", ("basic", "large")))
        init = cast(Init, check_choice(init, "init", INITS))
        noise = check_real(noise, "noise", minimum=0)
        factors = LARGE_WIDTHS if variant == "large" else (1,) * 8
        super().__init__(
            c, tuple(f * c for f in factors), DILATIONS, init, noise if variant == "large" else 0.0, generator
        )
        self.variant = variant

    def extra_repr(self) -> str:
        return f"channels={self.channels}, variant={self.variant!r}, init={self.init!r}"


class PlainStack(_EightLayers):
    """The Basic context module with every dilation 1: the same depth and parameters, field 15.

    Seven 3x3 convolutions (padding 1) with ReLU, then a 1x1 convolution, C channels throughout:
    64 C^2 weights and 8 C biases, as in the Basic module, but a receptive field of
    ``receptive_fields([3] * 7 + [1], [1] * 8)[-1] == 15`` instead of 67.

    Parameters
    ----------
    channels : C, in and out
    init : ``"identity"`` (Eq. 4, zero biases), ``"default"`` (PyTorch's) or ``"he"``

    Examples
    --------
    >>> import torch
    >>> p = PlainStack(3)
    >>> p(torch.rand(1, 3, 8, 8)).shape  # (N, C, H, W) kept
    torch.Size([1, 3, 8, 8])
    >>> p.dilations, p.layer_receptive_fields()[-1]
    ((1, 1, 1, 1, 1, 1, 1, 1), 15)
    """

    def __init__(self, channels: int, init: Init = "identity") -> None:
        c = check_int(channels, "channels", minimum=1)
        init = cast(Init, check_choice(init, "init", INITS))
        super().__init__(c, (c,) * 8, (1,) * 8, init, 0.0, None)

    def extra_repr(self) -> str:
        return f"channels={self.channels}, init={self.init!r}"


class DilatedStack(_EightLayers):
    """The Basic module with any rates: 3x3 layers with the given dilations, each with a ReLU, then a 1x1 layer.

    C channels throughout; padding = dilation keeps H and W. ``DilatedStack(C, (1, 1, 2, 4, 8, 16, 1))`` is
    the Basic :class:`ContextModule`; ``(2, 2, 2, 4, 8, 16, 2)`` has only even rates, so it samples only the
    pixels at even row and column offsets: holes (notebook 05); ``(2, 2, 2, 4, 8, 16, 2, 1, 1)`` adds
    two undilated layers at the end, Dilated Residual Networks' degridding (Yu, Koltun & Funkhouser 2017).
    M 3x3 layers have (9 M + 1) C^2 weights and (M + 1) C biases.

    Parameters
    ----------
    channels : C, in and out
    dilations : one rate per 3x3 layer
    init : ``"identity"`` (Eq. 4, zero biases), ``"default"`` (PyTorch's) or ``"he"``

    Examples
    --------
    >>> import torch
    >>> s = DilatedStack(3, (2, 2, 2, 4, 8, 16, 2, 1, 1))
    >>> s(torch.rand(1, 3, 16, 16)).shape  # (N, C, H, W) kept
    torch.Size([1, 3, 16, 16])
    >>> s.dilations, s.layer_receptive_fields()[-1]  # the 1x1 layer's rate is 1
    ((2, 2, 2, 4, 8, 16, 2, 1, 1, 1), 77)
    >>> sum(c.weight.numel() for c in s.convs) == (9 * 9 + 1) * 3**2
    True
    """

    def __init__(self, channels: int, dilations: Sequence[int], init: Init = "identity") -> None:
        c = check_int(channels, "channels", minimum=1)
        rates = (*check_ints(dilations, "dilations", minimum=1), 1)  # the 1x1 layer last
        init = cast(Init, check_choice(init, "init", INITS))
        kernels = (3,) * (len(rates) - 1) + (1,)
        super().__init__(c, (c,) * len(rates), rates, init, 0.0, None, kernels)

    def extra_repr(self) -> str:
        return f"channels={self.channels}, dilations={self.dilations}, init={self.init!r}"


class PoolingNet(nn.Module):
    """Context by pooling: the Basic module's eight convolutions, three 2x2 poolings, one upsampling.

    For a 64x64 input:

    1. 3x3 convolution, ReLU, 2x2 max pooling: 32x32
    2. 3x3 convolution, ReLU, 2x2 max pooling: 16x16
    3. 3x3 convolution, ReLU, 2x2 max pooling: 8x8
    4. to 6. three 3x3 convolutions with ReLU at 8x8
    then bilinear upsampling by 8 (``align_corners=False``): 64x64
    7. 3x3 convolution, ReLU
    8. 1x1 convolution

    ReLU after convolutions 1 to 7, none after 8. All convolutions are C -> C with dilation 1, so the
    parameters are the Basic module's: 64 C^2 weights and 8 C biases. With ``skip=True`` the first
    convolution's output (after its ReLU, at full resolution, before pooling) is added to the upsampled
    maps before convolution 7: one skip connection, as FCN, U-Net and DeepLab v3+ have, and no new
    weight. Without it, the last two layers see only the bilinear upsampling of an 8x8 grid.

    On the 8x coarser grid the field reaches
    ``receptive_fields([3, 2, 3, 2, 3, 2, 3, 3, 3], [1] * 9, [1, 2, 1, 2, 1, 2, 1, 1, 1])[-1] == 70``
    input pixels (:attr:`coarse_receptive_field`) before upsampling, as wide as the context module's 67,
    but on a grid of 8x8-pixel cells.

    Parameters
    ----------
    channels : C, in and out
    init : ``"identity"`` (Eq. 4 on every convolution, zero biases), ``"default"`` (PyTorch's) or ``"he"``
    skip : add the first convolution's full-resolution output before convolution 7

    Examples
    --------
    >>> import torch
    >>> net = PoolingNet(3)
    >>> net(torch.rand(2, 3, 64, 40)).shape  # (N, C, H, W) kept; H and W multiples of 8
    torch.Size([2, 3, 64, 40])
    >>> net.coarse_receptive_field
    70
    >>> PoolingNet(3, skip=True)(torch.rand(1, 3, 16, 16)).shape  # the skip adds no weight
    torch.Size([1, 3, 16, 16])
    """

    dilations: tuple[int, ...] = (1,) * 8
    kernel_sizes: tuple[int, ...] = KERNEL_SIZES
    relu_after: tuple[bool, ...] = RELU_AFTER
    #: the 2x2 max pooling follows these convolutions (0-based)
    pool_after: tuple[int, ...] = (0, 1, 2)
    #: the bilinear upsampling comes before this convolution (0-based)
    upsample_before: int = 6
    #: three poolings by 2: H and W must be multiples of 8
    factor: int = 8

    def __init__(self, channels: int, init: Init = "identity", *, skip: bool = False) -> None:
        super().__init__()
        self.channels = check_int(channels, "channels", minimum=1)
        self.init = check_choice(init, "init", INITS)
        check_bool(skip, "skip")
        self.skip = skip
        self.widths = (self.channels,) * 8
        self.convs = _eight_convs(self.channels, self.widths, self.dilations)
        _initialise(self.convs, self.channels, self.init, 0.0, None)

    @property
    def coarse_receptive_field(self) -> int:
        """The receptive field, in input pixels, of convolution 6 on the coarse grid."""
        kernels, strides = [], []
        for i, k in enumerate(self.kernel_sizes[: self.upsample_before]):
            kernels.append(k)
            strides.append(1)
            if i in self.pool_after:
                kernels.append(2)
                strides.append(2)
        return receptive_fields(kernels, [1] * len(kernels), strides)[-1]

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) -> (N, C, H, W), with H and W multiples of 8."""
        check_feature_map(input, self.channels)
        height, width = input.shape[-2:]
        if height % self.factor or width % self.factor:
            raise ValueError(
                tr(
                    "input: PoolingNet pools three times by 2, so H and W must be multiples of 8, got shape {shape}",
                    shape=tuple(input.shape),
                )
            )
        x, full_resolution = input, input
        for i, conv in enumerate(self.convs):
            if i == self.upsample_before:
                x = F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False)
                if self.skip:
                    x = x + full_resolution
            x = conv(x)
            if self.relu_after[i]:
                x = F.relu(x)
            if i == 0:
                full_resolution = x  # (N, C, H, W), before the first pooling
            if i in self.pool_after:
                x = F.max_pool2d(x, 2)
        return x

    def extra_repr(self) -> str:
        return f"channels={self.channels}, init={self.init!r}, skip={self.skip}"


def _conv_layers(model: nn.Module) -> list[nn.Conv2d]:
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ValueError(tr("model must contain nn.Conv2d layers, got {type} with none", type=type(model).__name__))
    return convs


def conv_outputs(model: nn.Module, input: torch.Tensor) -> list[torch.Tensor]:
    """What each ``nn.Conv2d`` of ``model`` computes on ``input``, before any ReLU, in the order they run.

    A ReLU after a convolution passes a channel's gradient only where that channel is positive; a channel
    that is never positive on any pixel of any sample (``(out[:, c] <= 0).all()``) is dead for this input.

    Parameters
    ----------
    model : a module built of ``nn.Conv2d`` layers (and functions between them)
    input : (N, C, H, W), run without gradients

    Returns
    -------
    list of (N, C_l, H_l, W_l) tensors, one per convolution call

    Examples
    --------
    >>> outs = conv_outputs(ContextModule(2), torch.rand(1, 2, 8, 8))
    >>> len(outs), tuple(outs[0].shape)  # eight convolutions, (N, C, H, W) each
    (8, (1, 2, 8, 8))
    """
    recorded: list[torch.Tensor] = []
    hooks = [
        conv.register_forward_hook(lambda _m, _i, out: recorded.append(out.detach())) for conv in _conv_layers(model)
    ]
    try:
        with torch.no_grad():
            model(input)
    finally:
        for hook in hooks:
            hook.remove()
    return recorded


def multiply_adds(model: nn.Module, height: int, width: int, channels: int) -> int:
    """The multiply-adds of ``model``'s convolutions for one (1, channels, height, width) input.

    A convolution producing ``C_out x H_out x W_out`` values from ``C_in / G`` channels with a
    ``k x k`` kernel does ``C_out H_out W_out (C_in / G) k^2`` of them; pooling, upsampling, ReLU and the
    biases are not counted. Measured by running the model once, so every layer counts at the
    resolution it actually runs at.

    Examples
    --------
    >>> multiply_adds(ContextModule(2), 8, 8, 2) == 64 * 2**2 * 8 * 8  # 64 C^2 weights, each used at every pixel
    True
    >>> multiply_adds(PoolingNet(2), 64, 64, 2) < multiply_adds(ContextModule(2), 64, 64, 2) / 2
    True
    """
    h = check_int(height, "height", minimum=1)
    w = check_int(width, "width", minimum=1)
    c = check_int(channels, "channels", minimum=1)
    dtype = next(iter(model.parameters()), torch.empty(0)).dtype
    outs = conv_outputs(model, torch.zeros(1, c, h, w, dtype=dtype))
    total = 0
    for conv, out in zip(_conv_layers(model), outs):
        kh, kw = conv.kernel_size
        total += out.numel() * (conv.in_channels // conv.groups) * kh * kw
    return total


#: Where :func:`stored_results` finds the results file, inside the package.
RESULTS_FILE = "data/context_module.json"


def stored_results() -> dict[str, Any]:
    """The trained comparisons of notebook 06, as ``make experiments`` (``tools/experiments.py``) stored them.

    Read from the installed package (``dilconv_lib/data/context_module.json``), so a copy of the notebook
    anywhere finds it. The keys: ``provenance`` (commit, machine, seeds, budget, learning rates, date, wall
    time), ``settings``, ``sweep`` (validation mIoU per learning rate), ``chosen_lr``, ``main``, ``longer``,
    ``gridding`` and ``live``: for each configuration, its per-seed results and their mean, minimum and maximum.

    Examples
    --------
    >>> results = stored_results()
    >>> results["settings"]["classes"], len(results["settings"]["seeds"]) >= 3  # C, and at least 3 seeds
    (8, True)
    >>> sorted(results["main"]["context module"]["summary"])  # per metric: mean, std, min, max
    ['accuracy', 'final_loss', 'miou', 'out_of_sight']
    """
    text = resources.files("dilconv_lib").joinpath(RESULTS_FILE).read_text(encoding="utf-8")
    results: dict[str, Any] = json.loads(text)
    return results
