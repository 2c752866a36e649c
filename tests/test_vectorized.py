"""What is specific to the vectorized backend: space-to-batch, the tap ranges, the zero-inserted kernel, the
default strategy, memory.

Each strategy in ``vectorized.STRATEGIES`` is a backend of its own in tests/cases.py's BACKENDS (through its
public ``conv2d_<name>``), so the case table against torch, float32, the bad calls and the random calls of
test_backends.py and test_bad_input.py run on each.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dilconv_lib import naive, vectorized
from dilconv_lib.geometry import ConvGeometry, conv_geometry
from tests.cases import zero_insert

# --- the polyphase view: space-to-batch -------------------------------------------------------------


@given(
    n=st.integers(0, 2),
    c=st.integers(1, 3),
    rows=st.integers(1, 4),
    cols=st.integers(1, 4),
    dh=st.integers(1, 4),
    dw=st.integers(1, 4),
)
def test_batch_to_space_undoes_space_to_batch(n: int, c: int, rows: int, cols: int, dh: int, dw: int) -> None:
    x = np.random.default_rng(0).standard_normal((n, c, rows * dh, cols * dw))
    batch = vectorized.space_to_batch(x, (dh, dw))
    assert batch.shape == (dh * dw * n, c, rows, cols)
    np.testing.assert_array_equal(vectorized.batch_to_space(batch, (dh, dw)), x)
    if n:  # sub-image (r, q) of image 0 is every d-th pixel from (r, q)
        r, q = dh - 1, dw - 1
        np.testing.assert_array_equal(batch[(r * dw + q) * n], x[0, :, r::dh, q::dw])


def test_each_sub_image_is_an_ordinary_convolution() -> None:
    # out[i, j] with i = r (mod d), j = q (mod d) is the undilated convolution of sub-image (r, q)
    rng = np.random.default_rng(11)
    x, w, d = rng.standard_normal((1, 2, 12, 12)), rng.standard_normal((3, 2, 3, 3)), 3
    out = naive.conv2d(x, w, dilation=d)  # (1, 3, 6, 6)
    for r in range(d):
        for q in range(d):
            sub = x[:, :, r::d, q::d]  # (1, 2, 4, 4)
            np.testing.assert_allclose(out[:, :, r::d, q::d], naive.conv2d(sub, w), rtol=1e-12, atol=1e-12)


# --- where each tap reads real input -------------------------------------------------------------


@given(
    size=st.integers(1, 12),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 4),
    before=st.integers(0, 5),
    after=st.integers(0, 5),
)
def test_tap_range_is_exactly_where_the_tap_reads_input(
    size: int, kernel: int, stride: int, dilation: int, before: int, after: int
) -> None:
    span = dilation * (kernel - 1) + 1
    assume(span <= size + before + after)
    # Along axis 1 of a 2-D call, with padding (before, after) as "same" can make it.
    g = conv_geometry(
        (1, 1, 1, size), (1, 1, 1, kernel), stride=(1, stride), padding=(0, max(before, after)), dilation=(1, dilation)
    )
    out_size = (size + before + after - span) // stride + 1
    g = replace(g, padding=((0, 0), (before, after)), out_size=(1, out_size))
    for tap in range(kernel):
        outputs, inputs = vectorized.tap_range(g, 1, tap)
        reads = [o * stride + tap * dilation - before for o in range(out_size)]
        inside = [o for o, r in enumerate(reads) if 0 <= r < size]
        assert list(range(out_size))[outputs] == inside
        assert list(range(size))[inputs] == [reads[o] for o in inside]


# --- the zero-inserted dense kernel ----------------------------------------------------------------


@pytest.mark.parametrize("dilation", [1, 2, 3, (2, 5)])
def test_dilate_kernel_is_the_zero_inserted_kernel(dilation: int | tuple[int, int]) -> None:
    w = np.random.default_rng(7).standard_normal((6, 2, 3, 3))
    dense = vectorized.dilate_kernel(w, dilation)
    np.testing.assert_array_equal(dense, zero_insert(w, dilation if isinstance(dilation, tuple) else (dilation,) * 2))
    assert np.count_nonzero(dense) == w.size  # nothing but zeros added


def test_dilate_kernel_keeps_dtype_and_works_in_1d() -> None:
    w = np.arange(1.0, 7.0, dtype=np.float32).reshape(1, 2, 3)
    dense = vectorized.dilate_kernel(w, (4,))
    assert dense.dtype == np.float32 and dense.shape == (1, 2, 9)
    np.testing.assert_array_equal(dense, zero_insert(w, (4,)))


@pytest.mark.parametrize(
    "dilation, error, words",
    [(0, ValueError, "dilation"), ((1, 2, 3), ValueError, "dilation"), (1.5, TypeError, "dilation")],
)
def test_dilate_kernel_rejects_bad_dilation(dilation: object, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        vectorized.dilate_kernel(np.ones((1, 1, 3, 3)), dilation)


def test_dilate_kernel_rejects_a_weight_of_the_wrong_rank() -> None:
    with pytest.raises(ValueError, match="weight"):
        vectorized.dilate_kernel(np.ones((3, 3, 3, 3, 3)), 2)


# --- the default strategy -------------------------------------------------------------------------


def geometry(
    input_shape: tuple[int, ...], weight_shape: tuple[int, ...], stride: int = 1, groups: int = 1
) -> ConvGeometry:
    return conv_geometry(input_shape, weight_shape, stride=stride, padding=1, groups=groups)


@pytest.mark.parametrize(
    "input_shape, weight_shape, stride, groups, expected",
    [
        ((1, 21, 64, 64), (21, 21, 3, 3), 1, 1, "im2col"),  # the Basic context module: 21 rows, inner 63, thin
        ((1, 32, 64, 64), (32, 32, 3, 3), 1, 1, "im2col"),  # 32 rows, inner 96: still thin
        ((1, 48, 64, 64), (48, 48, 3, 3), 1, 1, "rows"),  # 48 rows: not thin
        ((8, 64, 64, 64), (64, 64, 3, 3), 1, 1, "rows"),
        ((1, 3, 32, 32), (16, 3, 3, 3), 1, 1, "im2col"),  # RGB input: 16 > 4 * 3 output channels
        ((1, 16, 32, 32), (64, 16, 3, 3), 1, 1, "rows"),  # exactly 4 times: not more
        ((1, 8, 32, 32), (8, 1, 3, 3), 1, 8, "im2col"),  # depthwise: one channel in and out per group, thin
        ((1, 16, 32, 32), (64, 16, 3, 3), 2, 1, "im2col"),  # a vertical stride
        ((1, 16, 32, 32), (16, 16, 3, 3), 2, 1, "im2col"),  # vertical stride
        ((1, 16, 32, 32), (32, 16, 1, 1), 1, 1, "im2col"),  # 1x1, 32 rows, inner 16: thin
        ((1, 64, 32, 32), (64, 64, 1, 1), 1, 1, "rows"),  # 1x1, 64 rows
    ],
)
def test_choose_strategy(
    input_shape: tuple[int, ...], weight_shape: tuple[int, ...], stride: int, groups: int, expected: str
) -> None:
    assert vectorized.choose_strategy(geometry(input_shape, weight_shape, stride, groups)) == expected


def test_conv2d_runs_the_chosen_strategy(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    for name, core in list(vectorized.STRATEGIES.items()):
        monkeypatch.setitem(
            vectorized.STRATEGIES, name, lambda x, w, g, name=name, core=core: calls.append(name) or core(x, w, g)
        )
    vectorized.conv2d(np.ones((1, 3, 8, 8)), np.ones((16, 3, 3, 3)))
    vectorized.conv2d(np.ones((1, 48, 8, 8)), np.ones((48, 48, 3, 3)), dilation=2)
    vectorized.conv2d(np.ones((1, 16, 9, 9)), np.ones((4, 16, 3, 3)), stride=(2, 1))
    vectorized.conv1d(np.ones((1, 48, 9)), np.ones((48, 48, 1)))
    vectorized.conv2d(np.ones((1, 16, 8, 8)), np.ones((4, 16, 3, 3)), dilation=2)  # thin
    assert calls == ["im2col", "rows", "im2col", "rows", "im2col"]


# --- memory ---------------------------------------------------------------------------------------


def test_im2col_bytes_is_the_size_of_the_matrix_built() -> None:
    g = conv_geometry((2, 6, 11, 9), (4, 3, 3, 2), stride=(2, 1), padding=1, dilation=(2, 3), groups=2)
    h_out, w_out = g.out_size
    assert vectorized.im2col_bytes(g, itemsize=8) == 2 * 6 * 3 * 2 * h_out * w_out * 8
