"""What only the torch backends have: lists for tuples, F.unfold's matrix, chunks, gradients, tensor-only bad
input, the kernel torch runs.

The case table against torch, float32, the bad calls and the random calls run on both torch backends, on every
device, as tests/cases.py's BACKENDS (test_backends.py, test_bad_input.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dilconv_lib import accelerated
from dilconv_lib.geometry import conv_geometry
from tests.cases import CASES, TORCH_BACKENDS, Case

# conv2d of each torch backend, called with tensors; the device does not matter here
CONV2D = {b.name.rsplit("-", 1)[0]: b.conv2d_fn for b in TORCH_BACKENDS if b.device == "cpu"}
implementations = pytest.mark.parametrize("conv", list(CONV2D.values()), ids=list(CONV2D))


@implementations
def test_list_arguments_are_accepted(conv: Callable[..., torch.Tensor]) -> None:
    x, w = torch.randn(1, 2, 8, 9, dtype=torch.float64), torch.randn(3, 2, 3, 3, dtype=torch.float64)
    got = conv(x, w, stride=[1, 2], padding=[2, 1], dilation=[2, 1])
    torch.testing.assert_close(got, F.conv2d(x, w, stride=(1, 2), padding=(2, 1), dilation=(2, 1)))


def _symmetric_2d(case: Case) -> bool:
    """A 2-D case whose padding F.unfold can express: the same on both sides of each axis."""
    if case.n_spatial != 2:
        return False
    x, w, _ = case.operands()
    return all(before == after for before, after in conv_geometry(x.shape, w.shape, **case.kwargs).padding)


UNFOLDABLE = [c for c in CASES if _symmetric_2d(c)]


@pytest.mark.parametrize("case", UNFOLDABLE, ids=[c.name for c in UNFOLDABLE])
def test_unfold_builds_the_matrix_of_f_unfold(case: Case) -> None:
    """The strided-view im2col has exactly F.unfold's values and order, wherever F.unfold can express the call."""
    x, w = (torch.from_numpy(a) for a in case.operands(np.float64)[:2])
    g = conv_geometry(x.shape, w.shape, **case.kwargs)
    batched = x if g.batched else x.unsqueeze(0)
    pad = tuple(before for before, _ in g.padding)
    expected = F.unfold(batched, g.kernel, dilation=g.dilation, padding=pad, stride=g.stride)
    assert torch.equal(accelerated.unfold(batched, g), expected)


def test_unfold_covers_most_2d_cases() -> None:
    """The filter above leaves out only the asymmetric "same" cases, never most of the table."""
    assert len(UNFOLDABLE) >= len([c for c in CASES if c.n_spatial == 2]) - 3


@pytest.mark.parametrize("conv", ["conv1d_unfold", "conv2d_unfold"])
def test_unfold_in_chunks_gives_the_same_values(monkeypatch: pytest.MonkeyPatch, conv: str) -> None:
    spatial = (9,) if conv == "conv1d_unfold" else (9, 8)
    x = torch.randn(5, 4, *spatial, dtype=torch.float64)
    w = torch.randn(6, 2, *(3,) * len(spatial), dtype=torch.float64)
    b = torch.randn(6, dtype=torch.float64)
    whole = getattr(accelerated, conv)(x, w, b, padding="same", dilation=2, groups=2)
    monkeypatch.setattr(accelerated, "UNFOLD_CHUNK_BYTES", 1)  # one image at a time
    torch.testing.assert_close(getattr(accelerated, conv)(x, w, b, padding="same", dilation=2, groups=2), whole)


@implementations
def test_gradients_flow(conv: Callable[..., torch.Tensor]) -> None:
    x = torch.randn(1, 2, 7, 7, dtype=torch.float64, requires_grad=True)
    w = torch.randn(3, 2, 3, 3, dtype=torch.float64, requires_grad=True)
    conv(x, w, dilation=2, padding="same").square().sum().backward()
    x2, w2 = x.detach().requires_grad_(), w.detach().requires_grad_()
    F.conv2d(x2, w2, dilation=2, padding="same").square().sum().backward()
    torch.testing.assert_close(x.grad, x2.grad)
    torch.testing.assert_close(w.grad, w2.grad)


# --- bad input that only tensors can get wrong (the shared table, BAD_CALLS, runs on every backend) -------


X32, W32 = torch.ones(1, 2, 5, 5), torch.ones(3, 2, 3, 3)

TENSOR_BAD_CALLS = [
    ("weight_numpy", (X32, np.ones((3, 2, 3, 3), np.float32)), TypeError, "weight must be a torch.Tensor"),
    ("input_list", ([[[1.0]]], W32), TypeError, "input must be a torch.Tensor"),
    ("bias_list", (X32, W32, [0.0, 0.0, 0.0]), TypeError, "bias must be a torch.Tensor"),
    ("input_integer", (torch.ones(1, 2, 5, 5, dtype=torch.int64), W32), TypeError, "input must hold floating-point"),
    ("weight_dtype", (X32, W32.double()), TypeError, "weight has dtype torch.float64 but input has torch.float32"),
    ("bias_dtype", (X32, W32, torch.ones(3, dtype=torch.float16)), TypeError, "bias has dtype torch.float16"),
]


@implementations
@pytest.mark.parametrize("args, error, words", [c[1:] for c in TENSOR_BAD_CALLS], ids=[c[0] for c in TENSOR_BAD_CALLS])
def test_tensor_bad_input(conv: Callable[..., torch.Tensor], args: tuple, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        conv(*args)


if torch.cuda.is_available():  # a second device to disagree with; defined only where there is one

    @implementations
    def test_device_mismatch_names_the_argument(conv: Callable[..., torch.Tensor]) -> None:
        with pytest.raises(ValueError, match="weight is on cuda"):
            conv(X32, W32.cuda())


@implementations
@pytest.mark.parametrize("bad", [{"stride": (1, True)}, {"stride": 1.0}, {"dilation": (2.0, 1)}, {"groups": True}])
def test_never_accepts_what_equals_an_int(conv: Callable[..., torch.Tensor], bad: dict) -> None:
    """True == 1 and 1.0 == 1: a good call first, then the bad one must still fail."""
    conv(X32, W32, padding=2, **{k: 1 for k in bad})
    with pytest.raises(TypeError, match=next(iter(bad))):
        conv(X32, W32, padding=2, **bad)


def test_unfold_refuses_a_geometry_for_another_input() -> None:
    g = conv_geometry((1, 1, 5, 5), (1, 1, 2, 2), dilation=2)
    with pytest.raises(ValueError, match="geometry is for"):
        accelerated.unfold(torch.ones(1, 1, 6, 5), g)


def test_conv_backend_names_the_kernel_torch_runs() -> None:
    tiny = accelerated.conv_backend(torch.ones(1, 4, 12, 12), torch.ones(4, 4, 3, 3), padding=2, dilation=2)
    layer = accelerated.conv_backend(torch.ones(1, 64, 64, 64), torch.ones(64, 64, 3, 3), padding=2, dilation=2)
    names = {b.name for b in torch._C._ConvBackend.__members__.values()}  # type: ignore[attr-defined]
    assert tiny in names and layer in names
    if torch.backends.mkldnn.is_available():
        assert layer == "Mkldnn"
    with pytest.raises(ValueError, match="dilation"):
        accelerated.conv_backend(torch.ones(1, 4, 12, 12), torch.ones(4, 4, 3, 3), dilation=0)
