"""Plotting functions: sampling patterns, hole maps and gradient heat maps, each drawn into a given Axes.

The widgets (:mod:`dilconv_lib.widgets`) and the notebooks share these, so a figure looks the same
in both. Each function draws into an ``Axes`` and returns it; :func:`figure_png` turns a
figure into PNG bytes (the notebooks store PNG only, never SVG).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, PowerNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from dilconv_lib.checks import check_int
from dilconv_lib.geometry import effective_kernel_size
from dilconv_lib.receptive import hole_map

__all__ = ["draw_heatmap", "draw_hole_map", "draw_sampling", "figure_png"]

SEEN, HOLE = "#1f5f8b", "#f3d9d3"  # one output pixel reads a pixel / never reads it


def _bare(ax: Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def draw_sampling(ax: Axes, kernel_size: int, dilation: int) -> Axes:
    """Draw the ``e x e`` input window of one dilated ``k x k`` kernel, ``e = effective_kernel_size(k, d)``.

    Sampled pixels are filled, skipped ones left pale, with a grid line around every pixel.
    """
    k, d = check_int(kernel_size, "kernel_size", minimum=1), check_int(dilation, "dilation", minimum=1)
    e = effective_kernel_size(k, d)
    grid = np.zeros((e, e))
    grid[::d, ::d] = 1.0  # (e, e): the zero-inserted kernel
    ax.imshow(grid, cmap=ListedColormap([HOLE, SEEN]), vmin=0, vmax=1)
    ax.set_xticks(np.arange(-0.5, e, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, e, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    _bare(ax)
    ax.set_title(f"{k}x{k} kernel, dilation {d}: spans {e}x{e}")
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
    r = seen.shape[0]
    ax.imshow(seen, cmap=ListedColormap([HOLE, SEEN]), vmin=0, vmax=1, interpolation="nearest")
    if r % 2:
        ax.plot([r // 2], [r // 2], marker="+", color="white", markersize=8, markeredgewidth=1.5)
    _bare(ax)
    holes = int(seen.size - seen.sum())
    ax.set_title(title if title is not None else f"{list(dilations)}: {r}x{r}, {holes} holes", fontsize=10)
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


# --- Notebook 08 (dilation in practice) ------------------------------------------------------------------------

from typing import TYPE_CHECKING  # noqa: E402  (appended section)

if TYPE_CHECKING:  # only for the annotations below; the figures themselves never import torch
    from collections.abc import Mapping

    from dilconv_lib.practice import StageRow


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
    rows : output stride -> that backbone's :class:`dilconv_lib.practice.StageRow` list (same stages in each)
    quantity : ``"activations"`` or ``"multiply_adds"``
    """
    from dilconv_lib.checks import check_choice  # here: the top of the file is not this section's to change

    check_choice(quantity, "quantity", ("activations", "multiply_adds"))
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
        ax.bar(x, scaled, width, label=f"output stride {os_}", color=colours[n % len(colours)])
    ax.set_xticks(np.arange(len(stages)), stages)
    ax.set_ylabel("activations (MiB, float32)" if quantity == "activations" else "multiply-adds (G)")
    ax.legend(fontsize=8)
    return ax
