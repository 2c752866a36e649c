"""Notebook 08's figures and its backbone explorer: they draw, follow their controls, and say what the library says."""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dilconv_lib.backbone import replace_stride_with_dilation, resnet_layers, stage_rows, summarise_backbone
from dilconv_lib.figures import draw_backbone_stages, draw_values
from dilconv_lib.widgets import MULTI_GRIDS, backbone_explorer, backbone_figure, backbone_text, show_backbone

matplotlib.use("Agg")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def shown(text: widgets.HTML) -> str:
    match = re.fullmatch(r"<pre>(.*)</pre>", text.value, flags=re.DOTALL)
    assert match, text.value
    return html.unescape(match[1])


def test_draw_values_marks_zeros() -> None:
    fig, ax = plt.subplots()
    values = np.array([[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    draw_values(ax, values, title="zeros between pixels")
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1", "0", "2", "0", "0", "0", "3", "0", "4"]
    image = ax.images[0].get_array()
    assert np.array_equal(np.asarray(image), values != 0)
    assert ax.get_title() == "zeros between pixels"
    with pytest.raises(ValueError, match="2-D"):
        draw_values(ax, np.ones(3))
    plt.close(fig)


def test_draw_backbone_stages_draws_one_bar_per_stage_and_stride() -> None:
    rows = {
        os_: stage_rows(resnet_layers(replace_stride_with_dilation=replace_stride_with_dilation(os_)), 256)
        for os_ in (32, 8)
    }
    fig, ax = plt.subplots()
    draw_backbone_stages(ax, rows, quantity="multiply_adds")
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 2 * 6
    assert np.isclose(
        sum(heights[6:]),
        summarise_backbone(resnet_layers(replace_stride_with_dilation=[False, True, True]), 256).multiply_adds / 1e9,
    )
    with pytest.raises(ValueError, match="quantity"):
        draw_backbone_stages(ax, rows, quantity="time")
    plt.close(fig)


@pytest.mark.parametrize("output_stride", [32, 16, 8])
def test_backbone_text_agrees_with_the_library(output_stride: int) -> None:
    text = backbone_text(output_stride, 320)
    summary = summarise_backbone(
        resnet_layers(replace_stride_with_dilation=replace_stride_with_dilation(output_stride)), 320
    )
    assert f"output stride {output_stride} on 320 x 320" in text
    assert f"receptive field {summary.receptive_field}, effective padding {summary.effective_padding}" in text
    assert f"{summary.activation_mib():.1f} MiB" in text and "(holes: 0)" in text
    assert f"{320 // output_stride} x {320 // output_stride}" in text.splitlines()[-5]


def test_multi_grid_without_atrous_leaves_holes() -> None:
    assert "(holes: 0)" not in backbone_text(32, multi_grid=(1, 2, 4))
    assert "(2, 4, 8) (Multi-Grid (1, 2, 4) x 2)" in backbone_text(16, multi_grid=(1, 2, 4))


def test_show_backbone_prints_the_text(capsys: pytest.CaptureFixture[str]) -> None:
    show_backbone(8, 256, figure=False)
    assert capsys.readouterr().out == backbone_text(8, 256) + "\n"
    show_backbone(16, 256)
    assert capsys.readouterr().out == backbone_text(16, 256) + "\n"
    plt.close("all")


def test_backbone_explorer_follows_its_controls() -> None:
    box = backbone_explorer()
    controls, text, image = box.children
    stride, grid, size = controls.children
    assert isinstance(stride, widgets.Dropdown) and isinstance(size, widgets.IntSlider)
    assert shown(text) == backbone_text(16, 512) and bytes(image.value).startswith(PNG_MAGIC)
    stride.value = 8
    assert shown(text) == backbone_text(8, 512)
    grid.value = "(1, 2, 4)"
    assert shown(text) == backbone_text(8, 512, MULTI_GRIDS["(1, 2, 4)"])
    before = image.value
    size.value = 256
    assert shown(text) == backbone_text(8, 256, (1, 2, 4)) and image.value != before
    managed = plt.get_fignums()
    assert len(backbone_figure(256).axes[0].patches) == 3 * 6 and plt.get_fignums() == managed  # not pyplot's
    with pytest.raises(ValueError, match="multi_grid"):
        backbone_explorer(multi_grid="(2, 2, 2)")
