"""Dilation instead of stride in a ResNet backbone: its layers, its output stride, its field and its cost.

:func:`resnet_layers` lists the convolutions of a ResNet with bottleneck blocks the way torchvision builds
them, ``replace_stride_with_dilation`` included (:func:`replace_stride_with_dilation` gives the flags for an
output stride): a stage whose stride is replaced runs at stride 1 and every later 3x3 convolution is dilated
by the stride it lost (torchvision's ``resnet50(replace_stride_with_dilation=[False, True, True])`` gives
output stride 8); DeepLab v3's Multi-Grid sets layer4's rates. :class:`ResNetLike` is a small network built
from that list, and :func:`summarise_backbone` / :func:`stage_rows` give output stride, receptive field,
effective padding, activations and multiply-adds; :func:`output_grid_dilations` the rates that read the
output's grid. The identity behind it is the algorithme à trous (Holschneider et al. 1989): the dilated
network's output, subsampled by the stride removed, equals the strided network's output.

Notebook 08's other topics (degridding, transposed convolution, DeepLab's rates and costs) are in
:mod:`dilconv_lib.practice`. Formulas live in :mod:`dilconv_lib.geometry`; arguments are
checked by :mod:`dilconv_lib.checks`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import nn

from dilconv_lib.checks import check_bool, check_choice, check_feature_map, check_int, check_ints
from dilconv_lib.geometry import output_size, receptive_fields
from dilconv_lib.i18n import tr

__all__ = [
    "BackboneSummary",
    "LayerSpec",
    "ResNetLike",
    "StageRow",
    "output_grid_dilations",
    "replace_stride_with_dilation",
    "resnet_layers",
    "stage_rows",
    "summarise_backbone",
]

Kind = Literal["conv", "maxpool"]
Flags = tuple[bool, bool, bool]


@dataclass(frozen=True)
class LayerSpec:
    """One convolution or pooling layer of a 2-D network, square kernels, the same along both axes.

    Attributes
    ----------
    name : e.g. ``"layer3.0.conv2"`` (torchvision's names)
    kernel_size, stride, dilation : k, s, d
    padding : p on each side; None means ``d (k - 1) // 2``, the size-keeping padding of an odd kernel
    in_channels, out_channels, groups : as in ``nn.Conv2d`` (a pooling layer keeps its channels)
    kind : ``"conv"`` or ``"maxpool"``
    shortcut : True for a residual block's projection, which lies beside the longest path, not on it

    Examples
    --------
    >>> LayerSpec("conv2", 3, dilation=4).pad  # 4 * (3 - 1) // 2
    4
    >>> LayerSpec("conv1", 7, stride=2, in_channels=3, out_channels=64).weights  # 64 * 3 * 7 * 7
    9408
    """

    name: str
    kernel_size: int
    stride: int = 1
    dilation: int = 1
    padding: int | None = None
    in_channels: int = 1
    out_channels: int = 1
    groups: int = 1
    kind: Kind = "conv"
    shortcut: bool = False

    def __post_init__(self) -> None:
        check_int(self.kernel_size, "kernel_size", minimum=1)
        check_int(self.stride, "stride", minimum=1)
        check_int(self.dilation, "dilation", minimum=1)
        if self.padding is not None:
            check_int(self.padding, "padding", minimum=0)
        check_int(self.in_channels, "in_channels", minimum=1)
        check_int(self.out_channels, "out_channels", minimum=1)
        g = check_int(self.groups, "groups", minimum=1)
        if self.in_channels % g or self.out_channels % g:
            raise ValueError(
                tr(
                    "groups={groups} must divide in_channels={in_channels} and out_channels={out_channels}",
                    groups=g,
                    in_channels=self.in_channels,
                    out_channels=self.out_channels,
                )
            )
        check_choice(self.kind, "kind", ("conv", "maxpool"))
        check_bool(self.shortcut, "shortcut")

    @property
    def pad(self) -> int:
        """The padding on each side: ``padding``, or ``d (k - 1) // 2`` when it is None."""
        return self.dilation * (self.kernel_size - 1) // 2 if self.padding is None else self.padding

    @property
    def weights(self) -> int:
        """Weights (no bias): ``C_out * C_in / groups * k^2`` for a convolution, 0 for pooling."""
        if self.kind != "conv":
            return 0
        return self.out_channels * (self.in_channels // self.groups) * self.kernel_size**2


def replace_stride_with_dilation(output_stride: int) -> Flags:
    """torchvision's ``replace_stride_with_dilation`` flags (layer2, layer3, layer4) for a ResNet's output stride.

    A ResNet halves the resolution five times (output stride 32); each flag keeps one of the last three
    stages at its input's resolution.

    Examples
    --------
    >>> replace_stride_with_dilation(32), replace_stride_with_dilation(8)
    ((False, False, False), (False, True, True))
    """
    os_ = check_int(output_stride, "output_stride", minimum=1)
    flags = {32: (False, False, False), 16: (False, False, True), 8: (False, True, True), 4: (True, True, True)}
    if os_ not in flags:
        raise ValueError(tr("output_stride must be 32, 16, 8 or 4 for a ResNet, got {value}", value=os_))
    return flags[os_]


def _check_flags(flags: Any) -> Flags:
    if isinstance(flags, (str, bytes)) or not isinstance(flags, Sequence) or len(flags) != 3:
        raise ValueError(
            tr("replace_stride_with_dilation must hold 3 bools (layer2, layer3, layer4), got {value!r}", value=flags)
        )
    a, b, c = (check_bool(f, f"replace_stride_with_dilation[{i}]") for i, f in enumerate(flags))
    return a, b, c


def resnet_layers(
    blocks: Sequence[int] = (3, 4, 6, 3),
    *,
    width: int = 64,
    in_channels: int = 3,
    replace_stride_with_dilation: Sequence[bool] = (False, False, False),
    multi_grid: Sequence[int] | None = None,
) -> list[LayerSpec]:
    """The convolutions and the pooling of a ResNet with bottleneck blocks, in torchvision's order.

    The stem is a 7x7 convolution with stride 2 and a 3x3 max pooling with stride 2; then four stages
    (``layer1`` .. ``layer4``) of ``blocks[i]`` bottlenecks of ``planes = width * 2^i`` channels, each a 1x1,
    a 3x3 and a 1x1 convolution (``4 planes`` out), with a 1x1 projection (``downsample``) where the shape
    changes. The stride of ``layer2`` .. ``layer4`` sits in the first block's 3x3 convolution (ResNet v1.5).
    A stage whose flag is set keeps stride 1 and multiplies the dilation by 2; as in torchvision, the
    stage's first 3x3 convolution keeps the dilation that the previous stage ended with.

    Parameters
    ----------
    blocks : bottlenecks per stage; (3, 4, 6, 3) is ResNet-50, (3, 4, 23, 3) ResNet-101
    width : channels of the stem (64 in ResNet-50)
    in_channels : of the image
    replace_stride_with_dilation : three bools for layer2, layer3, layer4
    multi_grid : DeepLab v3's unit rates for layer4's blocks (one per block): block b's 3x3 convolution gets
        ``multi_grid[b]`` times layer4's rate, the first block included; None keeps torchvision's rates

    Returns
    -------
    list of :class:`LayerSpec`, the stem's two first.

    Examples
    --------
    >>> layers = resnet_layers(replace_stride_with_dilation=[False, True, True])
    >>> [(s.name, s.stride, s.dilation) for s in layers if s.name.startswith("layer4") and s.kernel_size == 3]
    [('layer4.0.conv2', 1, 2), ('layer4.1.conv2', 1, 4), ('layer4.2.conv2', 1, 4)]
    >>> sum(s.weights for s in layers)  # ResNet-50 without its classifier, batch norm and biases
    23454912
    """
    counts = check_ints(blocks, "blocks", minimum=1, length=4)
    w = check_int(width, "width", minimum=1)
    c_in = check_int(in_channels, "in_channels", minimum=1)
    flags = _check_flags(replace_stride_with_dilation)
    units = None if multi_grid is None else check_ints(multi_grid, "multi_grid", minimum=1, length=counts[3])
    expansion = 4
    layers = [
        LayerSpec("conv1", 7, stride=2, padding=3, in_channels=c_in, out_channels=w),
        LayerSpec("maxpool", 3, stride=2, padding=1, in_channels=w, out_channels=w, kind="maxpool"),
    ]
    inplanes, dilation = w, 1
    for i, n in enumerate(counts):
        planes, stride = w * 2**i, 1 if i == 0 else 2
        previous = dilation
        if i > 0 and flags[i - 1]:
            dilation, stride = dilation * stride, 1
        for b in range(n):
            name = f"layer{i + 1}.{b}"
            s, d = (stride, previous) if b == 0 else (1, dilation)
            if i == 3 and units is not None:
                d = units[b] * dilation
            layers += [
                LayerSpec(f"{name}.conv1", 1, in_channels=inplanes, out_channels=planes),
                LayerSpec(f"{name}.conv2", 3, stride=s, dilation=d, in_channels=planes, out_channels=planes),
                LayerSpec(f"{name}.conv3", 1, in_channels=planes, out_channels=planes * expansion),
            ]
            if b == 0 and (stride != 1 or inplanes != planes * expansion):
                layers.append(
                    LayerSpec(
                        f"{name}.downsample",
                        1,
                        stride=stride,
                        in_channels=inplanes,
                        out_channels=planes * expansion,
                        shortcut=True,
                    )
                )
            inplanes = planes * expansion
    return layers


def output_grid_dilations(layers: Sequence[LayerSpec]) -> tuple[int, ...]:
    """The dilations of the longest path's k > 1 layers after its last stride: those that read the output's grid.

    Their hole map (:func:`dilconv_lib.receptive.count_holes`) says whether one output reads every feature of
    that grid; the layers before the last stride read finer grids.

    Examples
    --------
    >>> output_grid_dilations(resnet_layers(replace_stride_with_dilation=[False, False, True], multi_grid=(1, 2, 4)))
    (1, 1, 1, 1, 1, 2, 4, 8)
    """
    main = [layer for layer in layers if not layer.shortcut]
    if not main:
        raise ValueError(tr("layers must hold at least one layer on the longest path"))
    last = max((n for n, layer in enumerate(main) if layer.stride > 1), default=-1)
    return tuple(layer.dilation for layer in main[last + 1 :] if layer.kernel_size > 1)


@dataclass(frozen=True)
class StageRow:
    """One stage of a backbone (``conv1``, ``maxpool``, ``layer1`` ..): see :func:`stage_rows`."""

    stage: str
    output_stride: int
    dilations: tuple[int, ...]
    feature_size: int
    activations: int
    multiply_adds: int


@dataclass(frozen=True)
class BackboneSummary:
    """What :func:`summarise_backbone` measures, per image.

    Attributes
    ----------
    output_stride : input pixels per output pixel, the product of the strides
    receptive_field : the 1-D field of one output along the longest path (shortcuts excluded)
    effective_padding : Araujo et al.'s ``P = sum_l p_l prod_{j<l} s_j`` along that path
    feature_size : the output's side for the summary's input size
    activations : values written by all layers (convolution and pooling outputs)
    multiply_adds : of all convolutions
    weights : of all convolutions
    """

    output_stride: int
    receptive_field: int
    effective_padding: int
    feature_size: int
    activations: int
    multiply_adds: int
    weights: int

    def activation_mib(self, *, bytes_per_value: int = 4) -> float:
        """The activations in MiB, at ``bytes_per_value`` bytes each (4: float32)."""
        return self.activations * check_int(bytes_per_value, "bytes_per_value", minimum=1) / 2**20


def _walk(layers: Sequence[LayerSpec], input_size: int) -> list[tuple[LayerSpec, int, int]]:
    """(layer, output stride after it, output size) for each layer; a shortcut takes its block's output size."""
    if not layers:
        raise ValueError(tr("layers must hold at least one LayerSpec"))
    size, stride, out = check_int(input_size, "input_size", minimum=1), 1, []
    for layer in layers:
        if not isinstance(layer, LayerSpec):
            raise TypeError(tr("layers must hold LayerSpec items, got {type}", type=type(layer).__name__))
        if layer.shortcut:
            out.append((layer, stride, size))
            continue
        size = output_size(size, layer.kernel_size, stride=layer.stride, padding=layer.pad, dilation=layer.dilation)
        stride *= layer.stride
        out.append((layer, stride, size))
    return out


def stage_rows(layers: Sequence[LayerSpec], input_size: int) -> list[StageRow]:
    """Per stage (the first part of each layer's name): output stride, 3x3 dilations, size, cost.

    Parameters
    ----------
    layers : from :func:`resnet_layers`
    input_size : the image's side, H = W

    Examples
    --------
    >>> rows = stage_rows(resnet_layers(replace_stride_with_dilation=[False, False, True]), 512)
    >>> [(r.stage, r.output_stride, r.dilations, r.feature_size) for r in rows[-2:]]
    [('layer3', 16, (1,), 32), ('layer4', 16, (1, 2), 32)]
    """
    rows: dict[str, list[tuple[LayerSpec, int, int]]] = {}
    for layer, stride, size in _walk(layers, input_size):
        rows.setdefault(layer.name.split(".")[0], []).append((layer, stride, size))
    out = []
    for stage, items in rows.items():
        main = [item for item in items if not item[0].shortcut]
        dilations = sorted({layer.dilation for layer, _, _ in items if layer.kernel_size > 1})
        out.append(
            StageRow(
                stage=stage,
                output_stride=main[-1][1],
                dilations=tuple(dilations),
                feature_size=main[-1][2],
                activations=sum(layer.out_channels * size * size for layer, _, size in items),
                multiply_adds=sum(layer.weights * size * size for layer, _, size in items),
            )
        )
    return out


def summarise_backbone(layers: Sequence[LayerSpec], input_size: int) -> BackboneSummary:
    """Output stride, receptive field, effective padding, feature size and cost of a backbone, per image.

    Parameters
    ----------
    layers : from :func:`resnet_layers`
    input_size : the image's side, H = W

    Examples
    --------
    ResNet-50's field is 427 pixels wide at every output stride; the cost is not the same.

    >>> for os_ in (32, 16, 8):
    ...     s = summarise_backbone(resnet_layers(replace_stride_with_dilation=replace_stride_with_dilation(os_)), 512)
    ...     print(s.output_stride, s.receptive_field, s.feature_size, round(s.multiply_adds / 1e9, 1))
    32 427 16 21.4
    16 427 32 32.4
    8 427 64 99.7
    """
    walked = _walk(layers, input_size)
    main = [(layer, stride, size) for layer, stride, size in walked if not layer.shortcut]
    ks = [layer.kernel_size for layer, _, _ in main]
    ds = [layer.dilation for layer, _, _ in main]
    ss = [layer.stride for layer, _, _ in main]
    padding, jump = 0, 1
    for layer, _, _ in main:
        padding += layer.pad * jump
        jump *= layer.stride
    return BackboneSummary(
        output_stride=math.prod(ss),
        receptive_field=receptive_fields(ks, ds, ss)[-1],
        effective_padding=padding,
        feature_size=main[-1][2],
        activations=sum(layer.out_channels * size * size for layer, _, size in walked),
        multiply_adds=sum(layer.weights * size * size for layer, _, size in walked),
        weights=sum(layer.weights for layer, _, _ in walked),
    )


class ResNetLike(nn.Module):
    """A ResNet with bottleneck blocks, built from :func:`resnet_layers`; (N, C_in, H, W) -> (N, 4 * 8 * width, h, w).

    Convolutions have biases and no batch normalisation (in evaluation, batch normalisation is a per-channel
    affine map, which changes nothing below). Two such networks with the same ``blocks`` and ``width`` have the
    same parameters whatever their ``replace_stride_with_dilation``, so one's ``state_dict`` loads into the other.

    Parameters
    ----------
    blocks, width, in_channels, replace_stride_with_dilation : as in :func:`resnet_layers`

    Attributes
    ----------
    layers : the list of :class:`LayerSpec`
    convs : ``nn.ModuleDict`` of the convolutions, keyed by name with ``.`` written ``_``
    output_stride, receptive_field : from :func:`summarise_backbone`

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> net = ResNetLike(width=2, replace_stride_with_dilation=[False, True, True])
    >>> net(torch.randn(1, 3, 64, 64)).shape  # (N, 4 * 8 * 2, 64 / 8, 64 / 8)
    torch.Size([1, 64, 8, 8])
    >>> net.output_stride, net.receptive_field  # 1 + 6 + 2 * 2 + 2 * 4 * 2 + 2 * 8 + 2 * 16
    (8, 75)
    """

    def __init__(
        self,
        blocks: Sequence[int] = (1, 1, 1, 1),
        *,
        width: int = 4,
        in_channels: int = 3,
        replace_stride_with_dilation: Sequence[bool] = (False, False, False),
    ) -> None:
        super().__init__()
        self.layers = resnet_layers(
            blocks, width=width, in_channels=in_channels, replace_stride_with_dilation=replace_stride_with_dilation
        )
        self.in_channels = self.layers[0].in_channels
        self.convs = nn.ModuleDict()
        self._blocks: list[str] = []
        for spec in self.layers:
            if spec.kind == "conv":
                self.convs[spec.name.replace(".", "_")] = nn.Conv2d(
                    spec.in_channels,
                    spec.out_channels,
                    spec.kernel_size,
                    stride=spec.stride,
                    padding=spec.pad,
                    dilation=spec.dilation,
                    groups=spec.groups,
                )
            if spec.name.endswith(".conv1"):
                self._blocks.append(spec.name.removesuffix(".conv1").replace(".", "_"))
        summary = summarise_backbone(self.layers, 2**12)
        self.output_stride, self.receptive_field = summary.output_stride, summary.receptive_field

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """(N, C_in, H, W) -> (N, C_out, h, w), ``h = ceil(H / output_stride)`` for H a multiple of 4."""
        check_feature_map(input, self.in_channels)
        x = F.max_pool2d(F.relu(self.convs["conv1"](input)), 3, stride=2, padding=1)
        for block in self._blocks:
            out = F.relu(self.convs[f"{block}_conv1"](x))
            out = F.relu(self.convs[f"{block}_conv2"](out))
            out = self.convs[f"{block}_conv3"](out)
            shortcut = f"{block}_downsample"
            x = F.relu(out + (self.convs[shortcut](x) if shortcut in self.convs else x))
        return x
