"""What is specific to the vectorized backend: its four named strategies, the zero-inserted kernel, the default choice.

The shared case table, float32 and property tests in test_backends.py and test_bad_input.py run on
``conv1d`` / ``conv2d`` through ``BACKENDS``; here each strategy meets the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dilconv_lib import naive, vectorized
from dilconv_lib.geometry import ConvGeometry, conv_geometry
from tests.cases import CASES, Case, torch_reference
from tests.test_backends import problems

STRATEGY_FUNCTIONS = {
    "taps": vectorized.conv2d_taps,
    "rows": vectorized.conv2d_rows,
    "im2col": vectorized.conv2d_im2col,
    "space_to_batch": vectorized.conv2d_space_to_batch,
}
CASES_2D = [c for c in CASES if c.n_spatial == 2]
strategies = pytest.mark.parametrize("conv", list(STRATEGY_FUNCTIONS.values()), ids=list(STRATEGY_FUNCTIONS))
cases_2d = pytest.mark.parametrize("case", CASES_2D, ids=[c.name for c in CASES_2D])


def test_every_strategy_has_a_public_function() -> None:
    assert set(vectorized.STRATEGIES) == set(STRATEGY_FUNCTIONS)


@strategies
@cases_2d
def test_strategy_matches_torch_float64(conv: Callable[..., np.ndarray], case: Case) -> None:
    x, w, b = case.operands(np.float64)
    expected = torch_reference(case, x, w, b)
    got = conv(x, w, b, **case.kwargs)
    assert got.dtype == np.float64 and got.shape == expected.shape
    assert got.flags.c_contiguous
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@strategies
@cases_2d
def test_strategy_keeps_float32(conv: Callable[..., np.ndarray], case: Case) -> None:
    x, w, b = case.operands(np.float32, seed=1)
    got = conv(x, w, b, **case.kwargs)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, torch_reference(case, x, w, b), rtol=1e-5, atol=1e-5)


@strategies
@pytest.mark.parametrize(
    "input_shape, weight_shape, kwargs",
    [
        ((1, 1, 1, 1), (1, 1, 2, 1), dict(padding=(1, 0), dilation=(2, 1))),  # both kernel rows in the padding
        ((2, 2, 3, 1), (3, 2, 1, 3), dict(padding=(0, 4), dilation=(1, 4))),  # only the centre column is real
        ((1, 2, 2, 2), (2, 2, 3, 3), dict(padding=3, dilation=3)),  # only the centre tap is real
    ],
    ids=["all_rows_in_padding", "side_columns_in_padding", "only_centre_tap"],
)
def test_strategy_with_taps_that_read_only_padding(
    conv: Callable[..., np.ndarray], input_shape: tuple[int, ...], weight_shape: tuple[int, ...], kwargs: dict
) -> None:
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal(input_shape), rng.standard_normal(weight_shape), rng.standard_normal(weight_shape[0])
    for bias in (None, b):
        expected = naive.conv2d(x, w, bias, **kwargs)
        np.testing.assert_allclose(conv(x, w, bias, **kwargs), expected, rtol=1e-12, atol=1e-12)


@strategies
def test_strategy_leaves_its_operands_alone(conv: Callable[..., np.ndarray]) -> None:
    x, w, b = CASES_2D[0].operands()
    copies = [a.copy() for a in (x, w, b)]
    conv(x, w, b, padding=2, dilation=2)
    for before, after in zip(copies, (x, w, b)):
        np.testing.assert_array_equal(before, after)


@strategies
def test_strategy_accepts_non_contiguous_input(conv: Callable[..., np.ndarray]) -> None:
    rng = np.random.default_rng(3)
    x_nhwc = rng.standard_normal((2, 9, 10, 4))  # channels-last memory, viewed as NCHW below
    w = rng.standard_normal((3, 4, 3, 3))
    x = x_nhwc.transpose(0, 3, 1, 2)
    expected = naive.conv2d(np.ascontiguousarray(x), w, padding=2, dilation=(2, 3))
    np.testing.assert_allclose(conv(x, w, padding=2, dilation=(2, 3)), expected, rtol=1e-12, atol=1e-12)


@strategies
def test_strategy_checks_arguments_like_the_backend(conv: Callable[..., np.ndarray]) -> None:
    with pytest.raises(ValueError, match="groups"):
        conv(np.ones((1, 3, 5, 5)), np.ones((2, 1, 3, 3)), groups=2)
    with pytest.raises(TypeError, match="input"):
        conv(None, np.ones((1, 1, 3, 3)))


@strategies
@given(problems(max_dilation=4))
def test_strategy_agrees_with_the_naive_loops_on_random_calls(conv: Callable[..., np.ndarray], p: dict) -> None:
    expected = naive.conv2d(p["x"], p["w"], **p["kwargs"])
    np.testing.assert_allclose(conv(p["x"], p["w"], **p["kwargs"]), expected, rtol=1e-10, atol=1e-10)


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


def test_dilate_kernel_inserts_zeros() -> None:
    w = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    dense = vectorized.dilate_kernel(w, 2)
    assert dense.shape == (1, 1, 5, 5)
    np.testing.assert_array_equal(dense[0, 0, ::2, ::2], w[0, 0])
    assert np.count_nonzero(dense) == 9
    np.testing.assert_array_equal(vectorized.dilate_kernel(w, 1), w)


def test_dilate_kernel_keeps_dtype_and_works_in_1d() -> None:
    dense = vectorized.dilate_kernel(np.ones((2, 3, 3), np.float32), (4,))
    assert dense.dtype == np.float32 and dense.shape == (2, 3, 9)


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


@pytest.mark.parametrize("dilation", [1, 2, 3, (2, 5)])
@pytest.mark.parametrize("kwargs", [{}, {"padding": "same"}, {"stride": 2, "padding": 1}, {"groups": 2}], ids=str)
def test_dilated_kernel_equals_zero_inserted_dense_kernel(dilation: int | tuple[int, int], kwargs: dict) -> None:
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((2, 4, 17, 16)), rng.standard_normal((6, 2 if kwargs.get("groups") else 4, 3, 3))
    dilated = vectorized.conv2d(x, w, dilation=dilation, **kwargs)
    dense = vectorized.conv2d(x, vectorized.dilate_kernel(w, dilation), **kwargs)
    np.testing.assert_allclose(dilated, dense, rtol=1e-12, atol=1e-12)


def test_dilated_kernel_equals_zero_inserted_dense_kernel_1d() -> None:
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((1, 3, 30)), rng.standard_normal((2, 3, 4))
    np.testing.assert_allclose(
        vectorized.conv1d(x, w, dilation=5, padding=3),
        vectorized.conv1d(x, vectorized.dilate_kernel(w, 5), padding=3),
        rtol=1e-12,
        atol=1e-12,
    )


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


def test_conv1d_keeps_float32_and_drops_the_unit_axis() -> None:
    out = vectorized.conv1d(np.ones((2, 3, 10), np.float32), np.ones((4, 3, 3), np.float32), padding="same", dilation=2)
    assert out.shape == (2, 4, 10) and out.dtype == np.float32 and out.flags.c_contiguous


# --- memory ---------------------------------------------------------------------------------------


def test_im2col_bytes_is_the_size_of_the_matrix_built() -> None:
    g = conv_geometry((2, 6, 11, 9), (4, 3, 3, 2), stride=(2, 1), padding=1, dilation=(2, 3), groups=2)
    h_out, w_out = g.out_size
    assert vectorized.im2col_bytes(g, itemsize=8) == 2 * 6 * 3 * 2 * h_out * w_out * 8
