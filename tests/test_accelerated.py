"""The torch backend and its unfold version against torch.nn.functional, on every available device."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dilconv_lib import accelerated
from dilconv_lib.geometry import conv_geometry
from tests.cases import BAD_CALLS, CASES, Case, torch_reference

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
# conv1d / conv2d of each implementation under test
IMPLEMENTATIONS = {
    "functional": {"conv1d": accelerated.conv1d, "conv2d": accelerated.conv2d},
    "unfold": {"conv1d": accelerated.conv1d_unfold, "conv2d": accelerated.conv2d_unfold},
}

devices = pytest.mark.parametrize("device", DEVICES)
implementations = pytest.mark.parametrize("impl", list(IMPLEMENTATIONS))
cases = pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])


@pytest.fixture(autouse=True)
def ieee_float32_on_cuda() -> Iterator[None]:
    """cuDNN computes float32 convolutions in TF32 by default (10-bit mantissa); compare in full float32."""
    if not torch.cuda.is_available():
        yield
        return
    conv = torch.backends.cudnn.conv
    before = conv.fp32_precision
    conv.fp32_precision = "ieee"
    yield
    conv.fp32_precision = before


def conv_of(impl: str, case: Case) -> Callable[..., torch.Tensor]:
    return IMPLEMENTATIONS[impl]["conv1d" if case.n_spatial == 1 else "conv2d"]


def tensors(device: str, *arrays: np.ndarray | None) -> list[torch.Tensor | None]:
    return [None if a is None else torch.from_numpy(a).to(device) for a in arrays]


@devices
@implementations
@cases
def test_matches_torch_float64(device: str, impl: str, case: Case) -> None:
    x, w, b = case.operands(np.float64)
    expected = torch_reference(case, x, w, b)
    got = conv_of(impl, case)(*tensors(device, x, w, b), **case.kwargs)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float64 and got.device.type == device
    assert tuple(got.shape) == expected.shape
    np.testing.assert_allclose(got.cpu().numpy(), expected, rtol=1e-12, atol=1e-12)


@devices
@implementations
@cases
def test_float32_stays_float32(device: str, impl: str, case: Case) -> None:
    x, w, b = case.operands(np.float32, seed=1)
    got = conv_of(impl, case)(*tensors(device, x, w, b), **case.kwargs)
    assert got.dtype == torch.float32 and got.device.type == device
    np.testing.assert_allclose(got.cpu().numpy(), torch_reference(case, x, w, b), rtol=1e-5, atol=1e-5)


@devices
@implementations
def test_channels_last_input_gives_the_same_values(device: str, impl: str) -> None:
    x = torch.randn(2, 4, 9, 9, dtype=torch.float64, device=device).to(memory_format=torch.channels_last)
    w = torch.randn(6, 2, 3, 3, dtype=torch.float64, device=device)
    got = IMPLEMENTATIONS[impl]["conv2d"](x, w, padding=2, dilation=2, groups=2)
    torch.testing.assert_close(got, F.conv2d(x.contiguous(), w, padding=2, dilation=2, groups=2))


@implementations
def test_list_arguments_are_accepted(impl: str) -> None:
    x, w = torch.randn(1, 2, 8, 9, dtype=torch.float64), torch.randn(3, 2, 3, 3, dtype=torch.float64)
    got = IMPLEMENTATIONS[impl]["conv2d"](x, w, stride=[1, 2], padding=[2, 1], dilation=[2, 1])
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
    x, w, _ = tensors("cpu", *case.operands(np.float64))
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
def test_gradients_flow(impl: str) -> None:
    x = torch.randn(1, 2, 7, 7, dtype=torch.float64, requires_grad=True)
    w = torch.randn(3, 2, 3, 3, dtype=torch.float64, requires_grad=True)
    IMPLEMENTATIONS[impl]["conv2d"](x, w, dilation=2, padding="same").square().sum().backward()
    x2, w2 = x.detach().requires_grad_(), w.detach().requires_grad_()
    F.conv2d(x2, w2, dilation=2, padding="same").square().sum().backward()
    torch.testing.assert_close(x.grad, x2.grad)
    torch.testing.assert_close(w.grad, w2.grad)


# --- bad input: the shared table with arrays turned into tensors, plus what only tensors can get wrong ---


def as_tensor_args(args: tuple) -> tuple:
    """Numeric arrays become tensors (of their dtype); anything else (None, lists, strings) is kept."""
    return tuple(torch.from_numpy(a) if isinstance(a, np.ndarray) and a.dtype.kind in "biufc" else a for a in args)


@devices
@implementations
@pytest.mark.parametrize("conv, args, kwargs, error, words", [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS])
def test_bad_input_names_the_argument(
    device: str, impl: str, conv: str, args: tuple, kwargs: dict, error: type, words: str
) -> None:
    args = tuple(a.to(device) if isinstance(a, torch.Tensor) else a for a in as_tensor_args(args))
    with pytest.raises(error, match=words):
        IMPLEMENTATIONS[impl][conv](*args, **kwargs)


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
def test_tensor_bad_input(impl: str, args: tuple, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        IMPLEMENTATIONS[impl]["conv2d"](*args)


if torch.cuda.is_available():  # a second device to disagree with; defined only where there is one

    @implementations
    def test_device_mismatch_names_the_argument(impl: str) -> None:
        with pytest.raises(ValueError, match="weight is on cuda"):
            IMPLEMENTATIONS[impl]["conv2d"](X32, W32.cuda())


@implementations
@pytest.mark.parametrize("bad", [{"stride": (1, True)}, {"stride": 1.0}, {"dilation": (2.0, 1)}, {"groups": True}])
def test_never_accepts_what_equals_an_int(impl: str, bad: dict) -> None:
    """True == 1 and 1.0 == 1: a good call first, then the bad one must still fail."""
    conv = IMPLEMENTATIONS[impl]["conv2d"]
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
