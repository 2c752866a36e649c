"""Plotting functions: sampling patterns, hole maps and gradient heat maps, each drawn into a given Axes.

The widgets (:mod:`dilconv_lib.widgets`) and the notebooks share these, so a figure looks the same
in both. Each function draws into an ``Axes`` and returns it; :func:`figure_png` turns a
figure into PNG bytes (the notebooks store PNG only, never SVG).

Every title, label and legend is in the learner's language (:func:`dilconv_lib.i18n.tr`), and each function
first makes matplotlib's font fit that language (:func:`dilconv_lib.i18n.sync_font`: a CJK font for Chinese).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, PowerNorm, to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from dilconv_lib.checks import check_choice, check_int, check_tuple
from dilconv_lib.geometry import effective_kernel_size
from dilconv_lib.i18n import N_, sync_font, tr
from dilconv_lib.receptive import hole_map

if TYPE_CHECKING:  # only for an annotation: the figures never import torch, which the backbone needs
    from dilconv_lib.backbone import StageRow

__all__ = [
    "draw_backbone_stages",
    "draw_dilated_sliding",
    "draw_entry_layers",
    "draw_heatmap",
    "draw_hole_map",
    "draw_im2col",
    "draw_sampling",
    "draw_space_to_batch",
    "draw_values",
    "draw_widening",
    "figure_png",
    "sliding_taps",
]

SEEN, HOLE = "#1f5f8b", "#f3d9d3"  # one output pixel reads a pixel / never reads it


def _bare(ax: Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def draw_sampling(ax: Axes, kernel_size: int, dilation: int) -> Axes:
    """Draw the ``e x e`` input window of one dilated ``k x k`` kernel, ``e = effective_kernel_size(k, d)``.

    Sampled pixels are filled, skipped ones left pale, with a grid line around every pixel.
    """
    k, d = check_int(kernel_size, "kernel_size", minimum=1), check_int(dilation, "dilation", minimum=1)
    sync_font()
    e = effective_kernel_size(k, d)
    grid = np.zeros((e, e))
    grid[::d, ::d] = 1.0  # (e, e): the zero-inserted kernel
    ax.imshow(grid, cmap=ListedColormap([HOLE, SEEN]), vmin=0, vmax=1)
    ax.set_xticks(np.arange(-0.5, e, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, e, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    _bare(ax)
    ax.set_title(tr("{k}x{k} kernel, dilation {d}: spans {e}x{e}", k=k, d=d, e=e))
    return ax


def draw_hole_map(
    ax: Axes,
    dilations: Sequence[int],
    kernel_size: int | Sequence[int] = 3,
    title: str | None = None,
) -> Axes:
    """Draw which pixels of its receptive field one output pixel sees (:func:`dilconv_lib.receptive.hole_map`).

    Seen pixels are dark, holes pale; the output pixel's own position is marked with a cross.
    """
    seen = hole_map(dilations, kernel_size)  # (R, R) bool
    sync_font()
    r = seen.shape[0]
    ax.imshow(seen, cmap=ListedColormap([HOLE, SEEN]), vmin=0, vmax=1, interpolation="nearest")
    if r % 2:
        ax.plot([r // 2], [r // 2], marker="+", color="white", markersize=8, markeredgewidth=1.5)
    _bare(ax)
    holes = int(seen.size - seen.sum())
    default = tr("{dilations}: {r}x{r}, {holes} holes", dilations=list(dilations), r=r, holes=holes)
    ax.set_title(title if title is not None else default, fontsize=10)
    return ax


def draw_heatmap(
    ax: Axes,
    erf: np.ndarray,
    field: int | None = None,
    title: str | None = None,
    gamma: float = 1.0,
) -> Axes:
    """Draw a gradient heat map ``(H, W)``, scaled to its maximum, with the theoretical field's square.

    ``field`` is the side of the theoretical receptive field, outlined around the map's centre
    ``(H // 2, W // 2)``; None draws no outline. ``gamma < 1`` brightens faint values
    (colour = value ** gamma), so that tails show.
    """
    m = np.asarray(erf, dtype=np.float64)
    sync_font()
    peak = m.max()
    norm = PowerNorm(gamma, vmin=0, vmax=1)
    ax.imshow(m / peak if peak > 0 else m, cmap="magma", norm=norm, interpolation="nearest")
    if field is not None:
        ci, cj = m.shape[0] // 2, m.shape[1] // 2
        half = field // 2
        ax.add_patch(
            Rectangle((cj - half - 0.5, ci - half - 0.5), field, field, fill=False, edgecolor="#4fc3f7", linewidth=1.2)
        )
    _bare(ax)
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes (for an ``ipywidgets.Image``)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


# --- Notebooks 00 and 01: three ways to widen a receptive field; Yu & Koltun's Figure 1 in 2-D ----------------


def _widening_footprints(size: int) -> list[tuple[str, np.ndarray, int, int]]:
    """(name, (size, size) 0/1 grid of the input pixels one output reads, weights, output side) for each way.

    The names are templates (:func:`dilconv_lib.i18n.N_`), shown through ``tr``.
    """
    c = size // 2  # the output pixel sits over input pixel (c, c)
    bigger = np.zeros((size, size))
    bigger[c - 2 : c + 3, c - 2 : c + 3] = 1  # a dense 5x5 kernel
    pooled = np.zeros((size, size))
    top = 2 * (c // 2 - 1)  # 2x2 pooling with stride 2, then a 3x3 kernel on the pooled map: 3 cells of 2 pixels
    pooled[top : top + 6, top : top + 6] = 1
    dilated = np.zeros((size, size))
    dilated[c - 2 : c + 3 : 2, c - 2 : c + 3 : 2] = 1  # a 3x3 kernel with dilation 2
    return [
        (N_("a bigger kernel: 5x5"), bigger, 25, size),
        (N_("pooling (2x2, stride 2), then 3x3"), pooled, 9, size // 2),
        (N_("dilation 2: a 3x3 kernel spanning 5x5"), dilated, 9, size),
    ]


def draw_widening(axes: Sequence[Axes], size: int = 10) -> Sequence[Axes]:
    """Three ways to widen what one output reads, side by side: a bigger kernel, pooling, dilation.

    Each panel is the ``size x size`` input; dark pixels are those one output pixel (over the input's
    centre) depends on. Its title gives the weights per input and output channel, its x-label the
    output's size (with "same" padding): a 5x5 kernel reads 25 pixels with 25 weights; 2x2 pooling with
    stride 2 and then a 3x3 kernel reads 36 pixels with 9 weights but halves the resolution; a 3x3 kernel
    with dilation 2 reads 9 pixels spread over 5x5 with 9 weights, at full resolution.

    Parameters
    ----------
    axes : three Axes, drawn left to right
    size : the input's side, even, >= 8

    Returns
    -------
    The three Axes.
    """
    n = check_int(size, "size", minimum=8)
    sync_font()
    if n % 2:
        raise ValueError(f"size must be even (2x2 pooling tiles the input), got {n}")
    if len(axes) != 3:
        raise ValueError(f"axes must hold three Axes, one per way, got {len(axes)}")
    for ax, (name, grid, weights, side) in zip(axes, _widening_footprints(n)):
        ax.imshow(grid, cmap=ListedColormap([HOLE, SEEN]), vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks(np.arange(-0.5, n, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, n, 1), minor=True)
        ax.grid(which="minor", color="white", linewidth=1)
        if side < n:  # the pooling cells
            for edge in np.arange(-0.5, n, 2):
                ax.axhline(edge, color="grey", linewidth=1)
                ax.axvline(edge, color="grey", linewidth=1)
        ax.tick_params(which="both", length=0)
        _bare(ax)
        reads = int(grid.sum())
        reading = tr("reads {reads} pixels with {weights} weights", reads=reads, weights=weights)
        ax.set_title(f"{tr(name)}\n{reading}", fontsize=10)
        resolution = tr("full resolution") if side == n else tr("half the resolution")
        ax.set_xlabel(tr("output {side}x{side}: {resolution}", side=side, resolution=resolution), fontsize=10)
    return axes


def _entry_layers(dilations: Sequence[int], kernel_size: int) -> np.ndarray:
    """(R, R) int array: the first layer whose receptive field reaches each pixel (1, 2, ...), 0 where none does."""
    n = len(dilations)
    final = hole_map(dilations, kernel_size).shape[0]
    entry = np.zeros((final, final), dtype=np.int64)
    for layer in range(n, 0, -1):  # from the last layer down, so that the first layer that reaches a pixel wins
        seen = hole_map(dilations[:layer], kernel_size)  # (r, r), centred in the final square
        start = (final - seen.shape[0]) // 2
        window = entry[start : start + seen.shape[0], start : start + seen.shape[0]]
        window[seen] = layer
    return entry


def draw_entry_layers(ax: Axes, dilations: Sequence[int], kernel_size: int = 3) -> Axes:
    """Yu & Koltun's Figure 1 in 2-D: each input pixel coloured by the layer at which it enters the field.

    One output pixel of a stack of ``k x k`` layers with the given dilations reads, after layer ``l``, the
    pixels of :func:`dilconv_lib.receptive.hole_map` of the first ``l`` dilations. A pixel's colour is the
    first layer whose field contains it; pixels that no layer reaches (holes) stay pale. With dilations
    1, 2, 4 (the paper's Figure 1) the fields are 3x3, 7x7 and 15x15, with no holes.

    Parameters
    ----------
    ax : where to draw
    dilations : one int >= 1 per layer
    kernel_size : k, the same for every layer

    Returns
    -------
    ax, with a legend naming each layer's dilation and field.
    """
    entry = _entry_layers(dilations, kernel_size)  # hole_map checks the arguments
    sync_font()
    n = len(dilations)
    colours = colormaps["viridis"].resampled(n)
    cmap = ListedColormap([HOLE, *(to_hex(colours(layer)) for layer in range(n))])
    ax.imshow(entry, cmap=cmap, vmin=-0.5, vmax=n + 0.5, interpolation="nearest")
    r = entry.shape[0]
    ax.plot([r // 2], [r // 2], marker="+", color="white", markersize=8, markeredgewidth=1.5)
    if r <= 40:  # a pixel grid while pixels are large enough to see
        ax.set_xticks(np.arange(-0.5, r, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, r, 1), minor=True)
        ax.grid(which="minor", color="white", linewidth=0.5)
        ax.tick_params(which="both", length=0)
    _bare(ax)
    sides = [hole_map(dilations[:layer], kernel_size).shape[0] for layer in range(1, n + 1)]
    handles = [
        Patch(
            color=colours(layer - 1),
            label=tr("layer {layer}, dilation {d}: {side}x{side}", layer=layer, d=d, side=side),
        )
        for layer, (d, side) in enumerate(zip(dilations, sides), start=1)
    ]
    if (entry == 0).any():
        handles.append(Patch(color=HOLE, label=tr("never read (holes)")))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=9, frameon=False)
    ax.set_title(tr("where each pixel enters the field: dilations {dilations}", dilations=list(dilations)), fontsize=10)
    return ax


# --- Notebook 08 (dilation in practice) ------------------------------------------------------------------------


def draw_values(ax: Axes, values: np.ndarray, title: str | None = None, fmt: str = "{:g}") -> Axes:
    """Draw a small (H, W) array as a grid of numbers: zeros pale (as holes), other values dark (as seen).

    Shows where zeros sit: between a dilated kernel's taps, or between the pixels of a zero-inserted input.

    Parameters
    ----------
    ax : where to draw
    values : (H, W) array of numbers
    title : above the grid
    fmt : formats each non-zero value; zeros are written ``0``
    """
    grid = np.asarray(values, dtype=np.float64)
    sync_font()
    if grid.ndim != 2:
        raise ValueError(f"values must be a 2-D (H, W) array, got shape {grid.shape}")
    filled = grid != 0
    ax.imshow(filled, cmap=ListedColormap([HOLE, SEEN]), vmin=0, vmax=1, interpolation="nearest")
    for (i, j), v in np.ndenumerate(grid):
        text = fmt.format(v) if v != 0 else "0"
        ax.text(j, i, text, ha="center", va="center", fontsize=8, color="white" if v != 0 else "#9a6b61")
    ax.set_xticks(np.arange(-0.5, grid.shape[1], 1), minor=True)
    ax.set_yticks(np.arange(-0.5, grid.shape[0], 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    _bare(ax)
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def draw_backbone_stages(ax: Axes, rows: Mapping[int, Sequence[StageRow]], quantity: str = "activations") -> Axes:
    """Bars per stage of a backbone, one colour per output stride: activations (MiB, float32) or multiply-adds (G).

    Parameters
    ----------
    ax : where to draw
    rows : output stride -> that backbone's :class:`dilconv_lib.backbone.StageRow` list (same stages in each)
    quantity : ``"activations"`` or ``"multiply_adds"``
    """
    check_choice(quantity, "quantity", ("activations", "multiply_adds"))
    sync_font()
    if not rows:
        raise ValueError("rows must hold at least one output stride")
    strides = sorted(rows, reverse=True)
    stages = [r.stage for r in rows[strides[0]]]
    width = 0.8 / len(strides)
    colours = ["#9ecae1", "#4292c6", "#08519c", "#08306b"]
    for n, os_ in enumerate(strides):
        values = [getattr(r, quantity) for r in rows[os_]]
        scaled = [v * 4 / 2**20 if quantity == "activations" else v / 1e9 for v in values]
        x = np.arange(len(stages)) + (n - (len(strides) - 1) / 2) * width
        ax.bar(x, scaled, width, label=tr("output stride {stride}", stride=os_), color=colours[n % len(colours)])
    ax.set_xticks(np.arange(len(stages)), stages)
    ax.set_ylabel(tr("activations (MiB, float32)") if quantity == "activations" else tr("multiply-adds (G)"))
    ax.legend(fontsize=8)
    return ax


# --- Notebook 02 (vectorized): the im2col matrix and the space-to-batch sub-images --------------------------------

_PHASE_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f"]


def _number_grid(ax: Axes, values: np.ndarray, colours: np.ndarray, origin: tuple[float, float] = (0, 0)) -> None:
    """Draw ``values`` (h, w) as squares of ``colours`` (h, w) hex strings, each with its number, from ``origin``."""
    top, left = origin
    for (i, j), v in np.ndenumerate(values):
        ax.add_patch(Rectangle((left + j - 0.5, top + i - 0.5), 1, 1, facecolor=colours[i, j], edgecolor="white"))
        dark = colours[i, j] != HOLE
        ax.text(left + j, top + i, f"{v:g}", ha="center", va="center", fontsize=8, color="white" if dark else "#555")


def _frame(ax: Axes, height: float, width: float) -> None:
    ax.set_xlim(-0.7, width - 0.3)
    ax.set_ylim(height - 0.3, -0.7)
    ax.set_aspect("equal")
    _bare(ax)
    for side in ax.spines.values():
        side.set_visible(False)


def draw_im2col(axes: Sequence[Axes], image: np.ndarray, kernel_size: int, dilation: int) -> Sequence[Axes]:
    """Draw the im2col matrix of one channel: the image with output (0, 0)'s taps, and the matrix, one row a tap.

    Parameters
    ----------
    axes : two Axes: the (H, W) image, then the (k * k, H_out * W_out) matrix
    image : (H, W) array of numbers (one channel, already padded)
    kernel_size, dilation : the k x k kernel and its dilation d; stride 1

    Tap ``(ki, kj)`` has one colour in both panels; column 0 of the matrix, output (0, 0), is dark, the other
    columns pale.
    """
    k, d = check_int(kernel_size, "kernel_size", minimum=1), check_int(dilation, "dilation", minimum=1)
    grid = np.asarray(image, dtype=np.float64)
    if grid.ndim != 2:
        raise ValueError(f"image must be a 2-D (H, W) array, got shape {grid.shape}")
    e = effective_kernel_size(k, d)
    h_out, w_out = grid.shape[0] - e + 1, grid.shape[1] - e + 1
    if h_out < 1 or w_out < 1:
        raise ValueError(f"image {grid.shape} is smaller than the kernel's extent {e}x{e}")
    sync_font()
    left, right = axes
    colours = np.full(grid.shape, HOLE, dtype=object)
    for ki in range(k):
        for kj in range(k):
            colours[ki * d, kj * d] = _PHASE_COLOURS[(ki * k + kj) % len(_PHASE_COLOURS)]
    _number_grid(left, grid, colours)
    _frame(left, *grid.shape)
    left.set_title(tr("input: the taps of output (0, 0)"), fontsize=10)
    # (k * k, H_out * W_out): row ki * k + kj, column i * W_out + j holds image[i + ki*d, j + kj*d]
    matrix = np.array(
        [
            [grid[i + ki * d, j + kj * d] for i in range(h_out) for j in range(w_out)]
            for ki in range(k)
            for kj in range(k)
        ]
    )
    shades = np.full(matrix.shape, HOLE, dtype=object)
    for row in range(k * k):
        shades[row, 0] = _PHASE_COLOURS[row % len(_PHASE_COLOURS)]
    _number_grid(right, matrix, shades)
    _frame(right, *matrix.shape)
    right.set_title(tr("im2col: one row per tap, one column per output pixel"), fontsize=10)
    return axes


def draw_space_to_batch(axes: Sequence[Axes], image: np.ndarray, dilation: int) -> Sequence[Axes]:
    """Draw an image coloured by phase (row mod d, column mod d) and its ``d * d`` sub-images side by side.

    Parameters
    ----------
    axes : two Axes: the (H, W) image, then the sub-images, phase (r, q) at grid position (r, q)
    image : (H, W) array of numbers, H and W multiples of d
    dilation : d
    """
    d = check_int(dilation, "dilation", minimum=1)
    grid = np.asarray(image, dtype=np.float64)
    if grid.ndim != 2 or grid.shape[0] % d or grid.shape[1] % d:
        raise ValueError(f"image must be a 2-D (H, W) array with H and W multiples of {d}, got shape {grid.shape}")
    sync_font()
    left, right = axes
    rows, cols = np.indices(grid.shape)
    phase = (rows % d) * d + cols % d  # (H, W): the phase r * d + q of each pixel
    colours = np.array([_PHASE_COLOURS[p % len(_PHASE_COLOURS)] for p in phase.ravel()], dtype=object)
    _number_grid(left, grid, colours.reshape(grid.shape))
    _frame(left, *grid.shape)
    left.set_title(tr("phase of each pixel: (row mod {d}, column mod {d})", d=d), fontsize=10)
    sub_h, sub_w = grid.shape[0] // d, grid.shape[1] // d
    for r in range(d):
        for q in range(d):
            top, start = r * (sub_h + 1), q * (sub_w + 1)  # one empty cell between sub-images
            sub = grid[r::d, q::d]
            _number_grid(
                right,
                sub,
                np.full(sub.shape, _PHASE_COLOURS[(r * d + q) % len(_PHASE_COLOURS)], dtype=object),
                (top, start),
            )
            right.text(start + (sub_w - 1) / 2, top - 0.75, f"({r}, {q})", ha="center", va="bottom", fontsize=8)
    _frame(right, d * (sub_h + 1) - 1, d * (sub_w + 1) - 1)
    right.set_ylim(d * (sub_h + 1) - 1.3, -1.4)
    right.set_title(tr("{n} sub-images x_p[r::{d}, q::{d}], labelled (r, q)", n=d * d, d=d), fontsize=10)
    return axes


# --- Notebook 00: a dilated kernel sliding over a padded input (Dumoulin & Visin, Fig. 5.1) --------------------


def sliding_taps(position: tuple[int, int], kernel_size: int, dilation: int, stride: int = 1) -> np.ndarray:
    """The padded-input pixels that output ``position = (i, j)`` reads: rows ``i s + ki d``, columns ``j s + kj d``.

    Returns
    -------
    (k * k, 2) int array of (row, column) in the padded input ``x_p``, row-major over ``(ki, kj)``.

    Examples
    --------
    >>> sliding_taps((0, 1), 3, 2)[:3].tolist()  # row 0; columns 1, 3, 5
    [[0, 1], [0, 3], [0, 5]]
    """
    k = check_int(kernel_size, "kernel_size", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    s = check_int(stride, "stride", minimum=1)
    i, j = check_tuple(position, "position", 2, minimum=0)
    taps = np.arange(k) * d  # (k,): ki d
    rows, cols = np.meshgrid(i * s + taps, j * s + taps, indexing="ij")  # (k, k) each
    return np.stack([rows.ravel(), cols.ravel()], axis=1)


def draw_dilated_sliding(
    axes: Sequence[Axes],
    size: int = 5,
    kernel_size: int = 3,
    dilation: int = 2,
    padding: int = 1,
    stride: int = 1,
    positions: Sequence[tuple[int, int]] | None = None,
) -> Sequence[Axes]:
    """A dilated ``k x k`` kernel at a few positions on a padded ``size x size`` input, then the output grid.

    As Dumoulin & Visin draw it ("A guide to convolution arithmetic", Fig. 5.1): each of the first
    ``len(positions)`` panels is the padded input ``x_p``, ``(size + 2p) x (size + 2p)``, its padding pale,
    with the ``k^2`` taps that one output reads in that output's colour; the last panel is the
    ``o x o`` output, ``o = output_size(size, k, s, p, d)``, each drawn position in its colour.

    Parameters
    ----------
    axes : ``len(positions) + 1`` Axes, drawn left to right
    size : the input's side (before padding)
    kernel_size, dilation, padding, stride : k, d, p, s, as in ``F.conv2d``
    positions : output positions ``(i, j)``; None for three: the first, the last of the first row, the last

    Returns
    -------
    The Axes; the last one's image is the ``(o, o)`` output grid.
    """
    from dilconv_lib.geometry import output_size

    n = check_int(size, "size", minimum=1)
    p = check_int(padding, "padding", minimum=0)
    o = output_size(n, kernel_size, stride, p, dilation)
    spots = [(0, 0), (0, o - 1), (o - 1, o - 1)] if positions is None else list(positions)
    for spot in spots:
        i, j = check_tuple(spot, "positions", 2, minimum=0)
        if i >= o or j >= o:
            raise ValueError(tr("positions must lie inside the {o}x{o} output, got {value}", o=o, value=spot))
    if len(axes) != len(spots) + 1:
        raise ValueError(
            tr(
                "axes must hold one Axes per position and one for the output ({count}), got {got}",
                count=len(spots) + 1,
                got=len(axes),
            )
        )
    sync_font()
    colours = [to_hex(c) for c in colormaps["tab10"].colors[: len(spots)]]  # type: ignore[attr-defined]
    side = n + 2 * p
    for ax, spot, colour in zip(axes, spots, colours):
        grid = np.zeros((side, side))
        grid[p : p + n, p : p + n] = 1  # (side, side): 0 padding, 1 input, 2 a tap of this position
        for r, c in sliding_taps(spot, kernel_size, dilation, stride):  # (k * k, 2)
            grid[r, c] = 2
        ax.imshow(grid, cmap=ListedColormap(["#eeeeee", "#cfe3f2", colour]), vmin=0, vmax=2, interpolation="nearest")
        ax.set_xticks(np.arange(-0.5, side, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, side, 1), minor=True)
        ax.grid(which="minor", color="white", linewidth=1)
        ax.tick_params(which="both", length=0)
        _bare(ax)
        ax.set_title(
            tr("output ({i}, {j}) reads these {taps} pixels", i=spot[0], j=spot[1], taps=kernel_size**2), fontsize=10
        )
        ax.set_xlabel(tr("input {n}x{n}, padding {p} (grey)", n=n, p=p), fontsize=10)
    out = np.zeros((o, o))
    for index, (i, j) in enumerate(spots, start=1):
        out[i, j] = index
    last = axes[len(spots)]
    last.imshow(out, cmap=ListedColormap(["#cfe3f2", *colours]), vmin=0, vmax=len(spots), interpolation="nearest")
    last.set_xticks(np.arange(-0.5, o, 1), minor=True)
    last.set_yticks(np.arange(-0.5, o, 1), minor=True)
    last.grid(which="minor", color="white", linewidth=1)
    last.tick_params(which="both", length=0)
    _bare(last)
    last.set_title(tr("output {o}x{o}", o=o), fontsize=10)
    last.set_xlabel(tr("k = {k}, d = {d}\np = {p}, s = {s}", k=kernel_size, d=dilation, p=p, s=stride), fontsize=10)
    return axes
