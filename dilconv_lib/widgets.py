"""Three explorers, each with a plain-function twin that shows the same content without a widget.

- one layer: :func:`sampling_explorer` (kernel size and dilation sliders) and :func:`show_sampling`;
- a stack: :func:`stack_explorer` (a comma-separated list of dilations and a kernel-size slider)
  and :func:`show_stack`;
- a backbone (notebook 08): :func:`backbone_explorer` (output stride, layer4's Multi-Grid rates and input
  size) and :func:`show_backbone`.

The text both show comes from :func:`sampling_text`, :func:`stack_text` and :func:`backbone_text`, the
pictures from :func:`sampling_figure`, :func:`stack_figure` and :func:`backbone_figure`. A builder returns its
``ipywidgets.VBox``: controls first, then an ``HTML`` widget with the text and an ``Image`` with the PNG
picture, so that setting a control's ``value`` updates both, with or without a front end.

Texts, tables, controls' labels and figures are in the learner's language (:mod:`dilconv_lib.i18n`).
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Sequence

import ipywidgets as widgets
from matplotlib.figure import Figure

from dilconv_lib.checks import check_int
from dilconv_lib.figures import draw_hole_map, draw_sampling, figure_png
from dilconv_lib.geometry import effective_kernel_size, receptive_fields, sampling_pattern
from dilconv_lib.i18n import tr
from dilconv_lib.receptive import exact_rule_break, hdc_max_distances, hole_map

__all__ = [
    "backbone_explorer",
    "backbone_figure",
    "backbone_text",
    "parse_dilations",
    "sampling_explorer",
    "sampling_figure",
    "sampling_text",
    "show_backbone",
    "show_sampling",
    "show_stack",
    "stack_explorer",
    "stack_figure",
    "stack_text",
]

# The stack explorer maps holes up to this receptive field (a 1025 x 1025 map takes well under a second).
MAX_MAPPED_FIELD = 1025


def _ljust(text: str, width: int) -> str:
    """``text`` padded to ``width`` columns of a monospace font, where a Chinese character takes two.

    >>> _ljust("total", 7) + "|", _ljust("合计", 7) + "|"
    ('total  |', '合计   |')
    """
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def sampling_text(kernel_size: int, dilation: int) -> str:
    """The sampling pattern of one ``k x k`` layer with dilation ``d``, with its sizes.

    Examples
    --------
    >>> print(sampling_text(3, 2))
    3x3 kernel, dilation 2: 9 taps spread over 5x5 input pixels
    * . * . *
    . . . . .
    * . * . *
    . . . . .
    * . * . *
    effective kernel size: 2 * (3 - 1) + 1 = 5
    receptive field of the layer: 5x5 = 25 pixels, 9 of them sampled (36%)
    """
    k = check_int(kernel_size, "kernel_size", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    e = effective_kernel_size(k, d)
    field = receptive_fields([k], [d])[-1]
    return "\n".join(
        [
            tr("{k}x{k} kernel, dilation {d}: {taps} taps spread over {e}x{e} input pixels", k=k, d=d, taps=k * k, e=e),
            sampling_pattern(k, d),
            tr("effective kernel size: {d} * ({k} - 1) + 1 = {e}", d=d, k=k, e=e),
            tr(
                "receptive field of the layer: {field}x{field} = {pixels} pixels, "
                "{taps} of them sampled ({share:.0f}%)",
                field=field,
                pixels=field * field,
                taps=k * k,
                share=100 * k * k / (field * field),
            ),
        ]
    )


def sampling_figure(kernel_size: int, dilation: int) -> Figure:
    """The sampling pattern as a figure (not managed by pyplot)."""
    fig = Figure(figsize=(3.2, 3.4))
    draw_sampling(fig.subplots(), kernel_size, dilation)
    return fig


def show_sampling(kernel_size: int = 3, dilation: int = 2, figure: bool = True) -> None:
    """Print :func:`sampling_text` and, when ``figure``, draw the pattern: the explorer without widgets."""
    print(sampling_text(kernel_size, dilation))
    if figure:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(3.2, 3.4))
        draw_sampling(ax, kernel_size, dilation)
        plt.show()


def _pre(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>"


def sampling_explorer(kernel_size: int = 3, dilation: int = 2) -> widgets.VBox:
    """Sliders for kernel size (1..7) and dilation (1..8) over the text and figure of :func:`show_sampling`.

    Returns
    -------
    ``VBox([HBox([IntSlider kernel_size, IntSlider dilation]), HTML text, Image png])``.
    """
    k_slider = widgets.IntSlider(value=kernel_size, min=1, max=7, description=tr("kernel size"))
    d_slider = widgets.IntSlider(value=dilation, min=1, max=8, description=tr("dilation"))
    text = widgets.HTML()
    image = widgets.Image(format="png", layout=widgets.Layout(width="300px"))

    def update(_: object = None) -> None:
        text.value = _pre(sampling_text(k_slider.value, d_slider.value))
        image.value = figure_png(sampling_figure(k_slider.value, d_slider.value))

    k_slider.observe(update, names="value")
    d_slider.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([k_slider, d_slider]), text, image])


def parse_dilations(text: str) -> list[int]:
    """Read a comma-separated list of dilations; empty items are skipped.

    The learner types this list into :func:`stack_explorer`'s box, which shows a ValueError's message: that
    message is in the learner's language.

    >>> parse_dilations("1, 2, 5")
    [1, 2, 5]
    >>> parse_dilations("1, two")
    Traceback (most recent call last):
    ...
    ValueError: dilations must be whole numbers separated by commas, got '1, two'
    """
    if not isinstance(text, str):
        raise TypeError(f"dilations must be a string such as '1, 2, 5', got {text!r}")
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise ValueError(tr("dilations must name at least one layer, e.g. '1, 2, 5'"))
    if not all(item.isdigit() for item in items):
        raise ValueError(tr("dilations must be whole numbers separated by commas, got {text!r}", text=text))
    values = [int(item) for item in items]
    for i, v in enumerate(values):
        if v < 1:  # check_int's words, in the learner's language
            raise ValueError(tr("dilations[{i}] must be >= 1, got {value}", i=i, value=v))
    return values


def stack_text(dilations: Sequence[int], kernel_size: int = 3) -> str:
    """The receptive field after each layer of a ``k x k`` stack, its holes and the HDC rule's verdict.

    The hole count is exact for any kernel size. Wang et al.'s recursion places the three taps of a
    3x3 kernel, so the HDC verdict is given for ``k = 3`` only, with the paper's two conditions
    (``M_2 <= K``, no common factor of the rates); for other kernels the text says why there is no verdict.
    The exact rule (:func:`dilconv_lib.receptive.satisfies_exact_rule`), order-free, is given for every odd ``k``.

    Examples
    --------
    >>> print(stack_text([1, 2, 9]))
    3x3 layers, dilations [1, 2, 9]
    layer  dilation  receptive field
        1         1                3
        2         2                7
        3         9               25
    input pixels seen: 441 of 25x25 = 625, holes: 184
    HDC rule: M = [3, 5, 9], M_2 = 5 > K = 3: predicts holes
    common factor of the rates: none
    exact rule (sorted, each rate <= 2 x the sum of the smaller rates + 1): holes, sorted rate 9 > 7
    >>> print("\\n".join(stack_text([2, 3]).splitlines()[-4:]))  # both of the paper's conditions hold
    input pixels seen: 81 of 11x11 = 121, holes: 40
    HDC rule: M = [2, 3], M_2 = 3 <= K = 3: predicts no holes
    common factor of the rates: none
    exact rule (sorted, each rate <= 2 x the sum of the smaller rates + 1): holes, sorted rate 2 > 1
    >>> print("\\n".join(stack_text([1, 2, 11], 5).splitlines()[-3:]))  # the recursion places 3 taps, not 5
    input pixels seen: 3249 of 57x57 = 3249, holes: 0
    HDC rule: written for 3x3 kernels (three taps per layer); no verdict for 5x5, the hole count above is exact
    exact rule (sorted, each rate <= 4 x the sum of the smaller rates + 1): no holes
    """
    k = check_int(kernel_size, "kernel_size", minimum=1)
    ds = list(dilations)
    if not ds:
        raise ValueError("dilations must name at least one layer, got an empty sequence")
    fields = receptive_fields([k] * len(ds), ds)
    lines = [tr("{k}x{k} layers, dilations {dilations}", k=k, dilations=ds), tr("layer  dilation  receptive field")]
    lines += [f"{i:5d}  {d:8d}  {f:15d}" for i, (d, f) in enumerate(zip(ds, fields), start=1)]
    r = fields[-1]
    if r <= MAX_MAPPED_FIELD:
        seen = int(hole_map(ds, k).sum())
        lines.append(
            tr(
                "input pixels seen: {seen} of {r}x{r} = {pixels}, holes: {holes}",
                seen=seen,
                r=r,
                pixels=r * r,
                holes=r * r - seen,
            )
        )
    else:
        lines.append(tr("receptive field {r} is larger than {most}: holes not mapped", r=r, most=MAX_MAPPED_FIELD))
    if k != 3:
        lines.append(
            tr(
                "HDC rule: written for 3x3 kernels (three taps per layer); no verdict for {k}x{k}, "
                "the hole count above is exact",
                k=k,
            )
            if r <= MAX_MAPPED_FIELD
            else tr("HDC rule: written for 3x3 kernels (three taps per layer); no verdict for {k}x{k}", k=k)
        )
    elif len(ds) < 2:
        lines.append(tr("HDC rule: needs a group of at least 2 layers"))
    else:
        m = hdc_max_distances(ds)
        relation, prediction = ("<=", tr("predicts no holes")) if m[1] <= k else (">", tr("predicts holes"))
        lines.append(
            tr(
                "HDC rule: M = {m}, M_2 = {m2} {relation} K = {k}: {prediction}",
                m=m,
                m2=m[1],
                relation=relation,
                k=k,
                prediction=prediction,
            )
        )
        factor = math.gcd(*ds)
        lines.append(
            tr("common factor of the rates: {factor}", factor=factor)
            if factor > 1
            else tr("common factor of the rates: none")
        )
    if k % 2 == 1:  # the exact rule, in any order, for every odd kernel
        broken = exact_rule_break(ds, k)
        verdict = (
            tr("no holes")
            if broken is None
            else tr("holes, sorted rate {rate} > {bound}", rate=broken[0], bound=broken[1])
        )
        lines.append(
            tr(
                "exact rule (sorted, each rate <= {k1} x the sum of the smaller rates + 1): {verdict}",
                k1=k - 1,
                verdict=verdict,
            )
        )
    return "\n".join(lines)


def stack_figure(dilations: Sequence[int], kernel_size: int = 3) -> Figure:
    """The hole map of a ``k x k`` stack as a figure (not managed by pyplot)."""
    fig = Figure(figsize=(3.6, 3.8))
    draw_hole_map(fig.subplots(), dilations, kernel_size)
    return fig


def show_stack(dilations: Sequence[int], kernel_size: int = 3, figure: bool = True) -> None:
    """Print :func:`stack_text` and, when ``figure``, draw the hole map: the explorer without widgets."""
    print(stack_text(dilations, kernel_size))
    if figure and receptive_fields([kernel_size] * len(dilations), dilations)[-1] <= MAX_MAPPED_FIELD:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(3.6, 3.8))
        draw_hole_map(ax, dilations, kernel_size)
        plt.show()


def stack_explorer(dilations: str = "1, 2, 5", kernel_size: int = 3) -> widgets.VBox:
    """A text box for dilations and a kernel-size slider (1..7) over the text and map of :func:`show_stack`.

    The text updates when the box is submitted (Enter) or loses focus; input that is not a list of
    whole numbers >= 1 shows what is wrong instead of a table.

    Returns
    -------
    ``VBox([HBox([Text dilations, IntSlider kernel_size]), HTML text, Image png])``.
    """
    box = widgets.Text(value=dilations, description=tr("dilations"), placeholder="1, 2, 5", continuous_update=False)
    k_slider = widgets.IntSlider(value=kernel_size, min=1, max=7, description=tr("kernel size"))
    text = widgets.HTML()
    image = widgets.Image(format="png", layout=widgets.Layout(width="320px"))

    def update(_: object = None) -> None:
        try:
            ds = parse_dilations(box.value)
        except ValueError as e:
            text.value = _pre(str(e))
            image.layout.display = "none"
            return
        k = k_slider.value
        text.value = _pre(stack_text(ds, k))
        if receptive_fields([k] * len(ds), ds)[-1] <= MAX_MAPPED_FIELD:
            image.value = figure_png(stack_figure(ds, k))
            image.layout.display = None
        else:
            image.layout.display = "none"

    box.observe(update, names="value")
    k_slider.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([box, k_slider]), text, image])


# --- Notebook 08: a backbone's output stride and dilation schedule ---------------------------------------------

#: The layer4 schedules the backbone explorer offers: torchvision's, and DeepLab v3's Multi-Grid unit rates.
MULTI_GRIDS: dict[str, tuple[int, int, int] | None] = {
    "torchvision": None,
    "(1, 1, 1)": (1, 1, 1),
    "(1, 2, 1)": (1, 2, 1),
    "(1, 2, 4)": (1, 2, 4),
}


def backbone_text(output_stride: int, input_size: int = 512, multi_grid: Sequence[int] | None = None) -> str:
    """A ResNet-50's stages at one output stride: stride, dilations, feature size, activations, multiply-adds.

    Also the receptive field and effective padding (with torchvision's rates, the same at every output
    stride), the rates of layer4's three blocks (``multi_grid`` times layer4's rate; None: torchvision's, whose
    first block keeps the previous stage's rate) and the holes left on the output's grid.

    Examples
    --------
    >>> print(backbone_text(16, multi_grid=(1, 2, 4)))
    ResNet-50 at output stride 16 on 512 x 512, replace_stride_with_dilation=[False, False, True]
    stage    stride  dilations  feature  activations  multiply-adds
    conv1         2  1          256 x 256    16.0 MiB         0.6 G
    maxpool       4  1          128 x 128     4.0 MiB         0.0 G
    layer1        4  1          128 x 128    88.0 MiB         3.5 G
    layer2        8  1          64 x 64      62.0 MiB         5.4 G
    layer3       16  1          32 x 32      43.0 MiB         7.7 G
    layer4       16  2, 4, 8    32 x 32      44.0 MiB        15.3 G
    total                                    257.0 MiB        32.4 G
    receptive field 715, effective padding 357
    layer4's rates: (2, 4, 8) (Multi-Grid (1, 2, 4) x 2)
    3x3 rates on the output grid: 1, 1, 1, 1, 1, 2, 4, 8 (holes: 0)
    """
    from dilconv_lib.backbone import (  # here: importing the widgets must not load torch
        output_grid_dilations,
        replace_stride_with_dilation,
        resnet_layers,
        stage_rows,
        summarise_backbone,
    )

    flags = replace_stride_with_dilation(output_stride)
    size = check_int(input_size, "input_size", minimum=1)
    layers = resnet_layers(replace_stride_with_dilation=flags, multi_grid=multi_grid)
    rows, summary = stage_rows(layers, size), summarise_backbone(layers, size)
    rate = 32 // summary.output_stride  # layer4's dilation
    lines = [
        tr(
            "ResNet-50 at output stride {stride} on {size} x {size}, replace_stride_with_dilation={flags}",
            stride=summary.output_stride,
            size=size,
            flags=list(flags),
        ),
        tr("stage    stride  dilations  feature  activations  multiply-adds"),
    ]
    for r in rows:
        feature = f"{r.feature_size} x {r.feature_size}"
        dilations = ", ".join(map(str, r.dilations))
        lines.append(
            f"{r.stage:<8} {r.output_stride:>6}  {dilations:<10} {feature:<10}"
            f"{r.activations * 4 / 2**20:>7.1f} MiB {r.multiply_adds / 1e9:>11.1f} G"
        )
    lines.append(
        f"{_ljust(tr('total'), 37)}{summary.activation_mib():>9.1f} MiB {summary.multiply_adds / 1e9:>11.1f} G"
    )
    lines.append(
        tr(
            "receptive field {field}, effective padding {padding}",
            field=summary.receptive_field,
            padding=summary.effective_padding,
        )
    )
    from dilconv_lib.receptive import count_holes

    grid = output_grid_dilations(layers)
    layer4 = tuple(layer.dilation for layer in layers if layer.name.startswith("layer4") and layer.kernel_size == 3)
    how = tr("torchvision's") if multi_grid is None else f"Multi-Grid {tuple(multi_grid)} x {rate}"
    lines.append(tr("layer4's rates: {rates} ({how})", rates=layer4, how=how))
    lines.append(
        tr(
            "3x3 rates on the output grid: {rates} (holes: {holes})",
            rates=", ".join(map(str, grid)),
            holes=count_holes(grid) if grid else 0,
        )
    )
    return "\n".join(lines)


def backbone_figure(input_size: int = 512) -> Figure:
    """Activations per stage of a ResNet-50 at output strides 32, 16 and 8 (not managed by pyplot)."""
    from dilconv_lib.backbone import replace_stride_with_dilation, resnet_layers, stage_rows
    from dilconv_lib.figures import draw_backbone_stages

    size = check_int(input_size, "input_size", minimum=1)
    rows = {
        os_: stage_rows(resnet_layers(replace_stride_with_dilation=replace_stride_with_dilation(os_)), size)
        for os_ in (32, 16, 8)
    }
    fig = Figure(figsize=(6.4, 3.2))
    ax = fig.subplots()
    draw_backbone_stages(ax, rows)
    ax.set_title(tr("ResNet-50 on {size} x {size}: activations per stage", size=size), fontsize=10)
    return fig


def show_backbone(
    output_stride: int = 16, input_size: int = 512, multi_grid: Sequence[int] | None = None, figure: bool = True
) -> None:
    """Print :func:`backbone_text` and, when ``figure``, draw :func:`backbone_figure`: the explorer without widgets."""
    print(backbone_text(output_stride, input_size, multi_grid))
    if figure:
        import matplotlib.pyplot as plt

        from dilconv_lib.backbone import replace_stride_with_dilation, resnet_layers, stage_rows
        from dilconv_lib.figures import draw_backbone_stages

        rows = {
            os_: stage_rows(resnet_layers(replace_stride_with_dilation=replace_stride_with_dilation(os_)), input_size)
            for os_ in (32, 16, 8)
        }
        fig, ax = plt.subplots(figsize=(6.4, 3.2))
        draw_backbone_stages(ax, rows)
        ax.set_title(tr("ResNet-50 on {size} x {size}: activations per stage", size=input_size), fontsize=10)
        plt.show()


def backbone_explorer(output_stride: int = 16, input_size: int = 512, multi_grid: str = "torchvision") -> widgets.VBox:
    """Output stride (32, 16, 8), Multi-Grid and input size controls over the text and figure of :func:`show_backbone`.

    Returns
    -------
    ``VBox([HBox([Dropdown output stride, Dropdown Multi-Grid, IntSlider input size]), HTML text, Image png])``.
    """
    if multi_grid not in MULTI_GRIDS:
        raise ValueError(f"multi_grid must be one of {', '.join(MULTI_GRIDS)}, got {multi_grid!r}")
    stride = widgets.Dropdown(options=[32, 16, 8], value=output_stride, description=tr("output stride"))
    grid = widgets.Dropdown(options=list(MULTI_GRIDS), value=multi_grid, description=tr("layer4 rates"))
    size = widgets.IntSlider(value=input_size, min=128, max=1024, step=32, description=tr("input size"))
    text = widgets.HTML()
    image = widgets.Image(format="png", layout=widgets.Layout(width="520px"))

    def update(_: object = None) -> None:
        text.value = _pre(backbone_text(stride.value, size.value, MULTI_GRIDS[grid.value]))

    def redraw(_: object = None) -> None:
        update()
        image.value = figure_png(backbone_figure(size.value))

    stride.observe(update, names="value")
    grid.observe(update, names="value")
    size.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([stride, grid, size]), text, image])
