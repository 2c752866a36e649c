"""The figures of notebooks 00 and 01: three ways to widen a receptive field, and Yu & Koltun's Figure 1 in 2-D."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dilconv_lib.figures import _entry_layers, draw_entry_layers, draw_widening, figure_png  # noqa: E402
from dilconv_lib.geometry import receptive_fields  # noqa: E402


def image(ax: plt.Axes) -> np.ndarray:
    return np.asarray(ax.images[0].get_array())


def test_widening_shows_what_each_way_reads_and_costs() -> None:
    fig, axes = plt.subplots(1, 3)
    assert list(draw_widening(axes)) == list(axes)
    bigger, pooled, dilated = (image(ax) for ax in axes)
    assert bigger.shape == pooled.shape == dilated.shape == (10, 10)
    assert (bigger.sum(), pooled.sum(), dilated.sum()) == (25, 36, 9)
    rows, cols = np.nonzero(dilated)
    assert set(rows) == set(cols) == {3, 5, 7}  # taps 2 apart around the centre (5, 5)
    assert np.array_equal(bigger[3:8, 3:8], np.ones((5, 5)))  # the dense 5x5 over the same centre
    rows, cols = np.nonzero(pooled)
    assert (rows.min(), rows.max()) == (2, 7) and rows.min() % 2 == 0  # whole 2x2 pooling cells
    titles = [ax.get_title() for ax in axes]
    assert "25 weights" in titles[0] and "9 weights" in titles[1] and "9 weights" in titles[2]
    labels = [ax.get_xlabel() for ax in axes]
    assert labels == [
        "output 10x10: full resolution",
        "output 5x5: half the resolution",
        "output 10x10: full resolution",
    ]
    assert figure_png(fig).startswith(b"\x89PNG")
    plt.close(fig)


def test_widening_checks_its_arguments() -> None:
    fig, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="size must be even"):
        draw_widening(axes, size=9)
    with pytest.raises(ValueError, match="size must be"):
        draw_widening(axes, size=6)
    with pytest.raises(ValueError, match="three Axes"):
        draw_widening(axes[:2])
    plt.close(fig)


def test_entry_layers_reproduce_yu_and_koltun_figure_1() -> None:
    entry = _entry_layers([1, 2, 4], 3)
    assert entry.shape == (15, 15) and entry.min() == 1  # no holes
    for layer, side in enumerate(receptive_fields([3] * 3, [1, 2, 4]), start=1):  # 3, 7, 15
        start = (15 - side) // 2
        assert (entry[start : start + side, start : start + side] <= layer).all()
        assert (np.count_nonzero(entry <= layer)) == side**2  # the field after `layer` layers is a full square
    assert entry[7, 7] == 1 and entry[7, 9] == 2 and entry[0, 0] == 3


def test_entry_layers_leave_holes_pale() -> None:
    entry = _entry_layers([2, 2], 3)  # equal rates: only even offsets are ever read
    assert entry.shape == (9, 9)
    assert (entry[1::2, :] == 0).all() and (entry[::2, ::2] > 0).all()


def test_draw_entry_layers_legend_and_image() -> None:
    fig, ax = plt.subplots()
    assert draw_entry_layers(ax, [1, 2, 4]) is ax
    assert np.array_equal(image(ax), _entry_layers([1, 2, 4], 3))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["layer 1, dilation 1: 3x3", "layer 2, dilation 2: 7x7", "layer 3, dilation 4: 15x15"]
    ax.clear()
    draw_entry_layers(ax, [2, 2])
    assert ax.get_legend().get_texts()[-1].get_text() == "never read (holes)"
    with pytest.raises(ValueError):
        draw_entry_layers(ax, [1, 0])
    plt.close(fig)
