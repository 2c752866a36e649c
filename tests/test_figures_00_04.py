"""The figure of notebook 00: a dilated kernel sliding over a padded input, and the output grid it fills."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from dilconv_lib.figures import draw_dilated_sliding, figure_png, sliding_taps  # noqa: E402
from dilconv_lib.geometry import output_size  # noqa: E402


@pytest.mark.parametrize(("k", "d", "s", "p", "size"), [(3, 2, 1, 1, 5), (3, 3, 2, 2, 9), (2, 2, 1, 0, 6)])
def test_taps_are_the_pixels_torch_reads(k: int, d: int, s: int, p: int, size: int) -> None:
    """Back-propagating 1 from output (i, j) of an all-ones conv2d marks exactly the drawn taps (padded coordinates)."""
    o = output_size(size, k, s, p, d)
    for i, j in [(0, 0), (o - 1, 0), (o - 1, o - 1)]:
        x = torch.zeros(1, 1, size + 2 * p, size + 2 * p, dtype=torch.float64, requires_grad=True)
        y = F.conv2d(x, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s, dilation=d)  # x is x_p already
        assert y.shape[-1] == o
        y[0, 0, i, j].backward()
        read = np.argwhere(x.grad[0, 0].numpy() != 0).tolist()
        assert sorted(read) == sorted(sliding_taps((i, j), k, d, s).tolist())


def test_figure_shows_the_taps_and_the_output_grid() -> None:
    fig, axes = plt.subplots(1, 4)
    assert list(draw_dilated_sliding(axes)) == list(axes)
    first = np.asarray(axes[0].images[0].get_array())
    assert first.shape == (7, 7)  # 5 + 2 * 1
    assert (first[0] == 0).sum() + (first[0] == 2).sum() == 7  # the top row is padding, three of it taps
    assert sorted(map(tuple, np.argwhere(first == 2).tolist())) == [(r, c) for r in (0, 2, 4) for c in (0, 2, 4)]
    assert (first[1:6, 1:6] > 0).all() and (first[[0, 6], :] != 1).all()  # the 5 x 5 input inside the padding
    out = np.asarray(axes[-1].images[0].get_array())
    assert out.shape == (output_size(5, 3, padding=1, dilation=2),) * 2 == (3, 3)
    assert (out[0, 0], out[0, 2], out[2, 2]) == (1, 2, 3) and (out > 0).sum() == 3
    assert axes[0].get_title() == "output (0, 0) reads these 9 pixels"
    assert axes[-1].get_title() == "output 3x3"
    assert figure_png(fig).startswith(b"\x89PNG")
    plt.close(fig)


def test_figure_checks_its_arguments() -> None:
    fig, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="axes must hold one Axes per position"):
        draw_dilated_sliding(axes)
    with pytest.raises(ValueError, match="positions must lie inside the 3x3 output"):
        draw_dilated_sliding(axes, positions=[(0, 0), (3, 0)])
    with pytest.raises(ValueError, match="kernel_size"):
        draw_dilated_sliding(axes, size=2, positions=[(0, 0), (0, 0)])  # 5 > 2 + 2: does not fit
    with pytest.raises(TypeError, match="positions"):
        draw_dilated_sliding(axes, positions=[None, (0, 0)])  # type: ignore[list-item]
    plt.close(fig)
