"""A synthetic dense-prediction task that needs context, and the loop that trains on it.

**Marked discs.** Each 64x64 scene holds four discs ("objects"), one in each quarter of the image,
centred 6 to 25 pixels into its quarter, radius 12 to 24 pixels (so neighbours may overlap and discs
may run off the edge). Each object has a class 1 to C-1, drawn uniformly and independently of the
geometry; class 0 is the background. The input plays the part of a front end's C score maps:

- channel 0 is 1 on the background and 0 inside the objects: *where* the objects are is visible
  everywhere, at full resolution;
- channel ``c >= 1`` is 1 on a 3x3 marker at the centre of each object of class ``c``, 0 elsewhere:
  *what* an object is shows only at its centre.

A pixel's label is 0 on the background; inside the objects it is the class of the nearest centre among
the discs that contain it. So inside an object, away from its marker, every pixel looks the same
(channel 0 is 0, the others are 0) whatever the class: only a marker up to 24 pixels away decides.
A network with a 15x15 receptive field sees no marker at most object pixels and can only guess there;
the context module's 67x67 field always reaches the marker. :func:`marker_distance` says, for every
pixel, how far the nearest marker is.

**Thin markers.** ``marker_radius=0`` draws each marker as a single pixel: a stack whose rates leave holes
(every rate even, say) never samples the marker from the pixels at an odd row or column offset from it,
three in four. :func:`missed_by_holes` marks those pixels for any stack.

Shapes: images (N, C, 64, 64) float32, labels (N, 64, 64) int64.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dilconv_lib.checks import check_int, check_real
from dilconv_lib.i18n import tr

__all__ = [
    "SIZE",
    "Scenes",
    "class_colours",
    "colourise",
    "input_rgb",
    "make_splits",
    "marked_discs",
    "marker_distance",
    "mean_iou",
    "missed_by_holes",
    "predict",
    "render",
    "scores",
    "train",
]

#: The scenes' height and width.
SIZE = 64
#: Objects sit on a GRID x GRID lattice of quarters, one per cell.
GRID = 2
#: An object's centre lies MARGIN to CELL - MARGIN - 1 pixels into its cell (both ends included).
MARGIN = 6
#: Radii are drawn uniformly from [RADIUS_MIN, RADIUS_MAX).
RADIUS_MIN, RADIUS_MAX = 12.0, 24.0
#: A marker covers the pixels within this Chebyshev distance of its centre: 1 gives 3x3.
MARKER_RADIUS = 1


@dataclass(frozen=True)
class Scenes:
    """A batch of marked-disc scenes, with the geometry that made them.

    Attributes
    ----------
    images : (N, C, 64, 64) float32, the input: channel 0 background, channels 1..C-1 markers
    labels : (N, 64, 64) int64 in 0..C-1, the target
    centres : (N, 4, 2) int64, each object's centre as (row, column)
    radii : (N, 4) float32
    object_classes : (N, 4) int64 in 1..C-1
    marker_radius : the markers' Chebyshev radius: 1 gives 3x3 markers, 0 single pixels
    """

    images: torch.Tensor
    labels: torch.Tensor
    centres: torch.Tensor
    radii: torch.Tensor
    object_classes: torch.Tensor
    marker_radius: int = MARKER_RADIUS

    @property
    def classes(self) -> int:
        """C, the number of classes (and of input channels), background included."""
        return self.images.shape[1]

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index: Any) -> Scenes:
        """A sub-batch: ``scenes[:4]``, ``scenes[[0, 2]]``."""
        if isinstance(index, int):
            index = slice(index, index + 1 if index != -1 else None)
        return Scenes(
            self.images[index],
            self.labels[index],
            self.centres[index],
            self.radii[index],
            self.object_classes[index],
            self.marker_radius,
        )


def _check_classes(classes: Any) -> int:
    return check_int(classes, "classes", minimum=2)


def render(
    centres: torch.Tensor,
    radii: torch.Tensor,
    object_classes: torch.Tensor,
    classes: int,
    *,
    marker_radius: int = MARKER_RADIUS,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw the input and the labels of scenes with the given objects.

    Parameters
    ----------
    centres : (N, K, 2) ints, each object's centre (row, column) in [1, 62]
    radii : (N, K) floats > 0
    object_classes : (N, K) ints in 1..classes-1
    classes : C, background included
    marker_radius : each marker covers the pixels within this Chebyshev distance of its centre (0: one pixel)

    Returns
    -------
    images : (N, C, 64, 64) float32
    labels : (N, 64, 64) int64

    Examples
    --------
    One object of class 2 at (10, 20), radius 5, with C = 3:

    >>> images, labels = render(torch.tensor([[[10, 20]]]), torch.tensor([[5.0]]), torch.tensor([[2]]), 3)
    >>> images.shape, labels.shape  # (N, C, H, W) and (N, H, W)
    (torch.Size([1, 3, 64, 64]), torch.Size([1, 64, 64]))
    >>> int(images[0, 2].sum()), int(images[0, 1].sum())  # a 3x3 marker in channel 2, none in channel 1
    (9, 0)
    >>> labels[0, 10, 14:27].tolist()  # row 10: background, then 11 pixels of class 2 (|column - 20| <= 5)
    [0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0]
    >>> images[0, 0, 10, 14:27].tolist() == (labels[0, 10, 14:27] == 0).float().tolist()  # channel 0: background
    True
    """
    c = _check_classes(classes)
    marker_radius = check_int(marker_radius, "marker_radius", minimum=0)
    centres = torch.as_tensor(centres, dtype=torch.int64)
    radii = torch.as_tensor(radii, dtype=torch.float32)
    object_classes = torch.as_tensor(object_classes, dtype=torch.int64)
    if centres.ndim != 3 or centres.shape[2] != 2:
        raise ValueError(tr("centres must have shape (N, K, 2), got {shape}", shape=tuple(centres.shape)))
    if radii.shape != centres.shape[:2] or object_classes.shape != centres.shape[:2]:
        raise ValueError(
            tr(
                "radii and object_classes must have shape (N, K) = {expected}, got {radii} and {classes}",
                expected=tuple(centres.shape[:2]),
                radii=tuple(radii.shape),
                classes=tuple(object_classes.shape),
            )
        )
    lo, hi = marker_radius, SIZE - 1 - marker_radius
    if centres.numel() and (centres.min() < lo or centres.max() > hi):
        raise ValueError(tr("centres must lie in [{lo}, {hi}] so that the whole marker is in the image", lo=lo, hi=hi))
    if object_classes.numel() and (object_classes.min() < 1 or object_classes.max() >= c):
        raise ValueError(
            tr(
                "object_classes must lie in 1..{last} (0 is the background), got {values}",
                last=c - 1,
                values=object_classes.unique(),
            )
        )
    if radii.numel() and not bool((radii > 0).all()):
        raise ValueError(tr("radii must be > 0"))
    n = centres.shape[0]
    rows = torch.arange(SIZE).view(1, 1, SIZE, 1)
    cols = torch.arange(SIZE).view(1, 1, 1, SIZE)
    dy = rows - centres[:, :, 0, None, None]  # (N, K, H, 1)
    dx = cols - centres[:, :, 1, None, None]  # (N, K, 1, W)
    dist2 = (dy**2 + dx**2).float()  # (N, K, H, W)
    inside = dist2 <= radii[:, :, None, None] ** 2
    nearest = torch.where(inside, dist2, torch.inf).argmin(dim=1)  # (N, H, W): first of the nearest
    labels = torch.where(inside.any(dim=1), object_classes.gather(1, nearest.view(n, -1)).view(n, SIZE, SIZE), 0)
    marker = (dy.abs() <= marker_radius) & (dx.abs() <= marker_radius)  # (N, K, H, W)
    images = torch.zeros(n, c, SIZE, SIZE)
    images[:, 0] = (~inside.any(dim=1)).float()
    for k in range(1, c):
        images[:, k] = (marker & (object_classes == k)[:, :, None, None]).any(dim=1).float()
    return images, labels


def marked_discs(
    n: int, classes: int = 4, seed: int | np.random.SeedSequence = 0, *, marker_radius: int = MARKER_RADIUS
) -> Scenes:
    """``n`` random marked-disc scenes (see the module's docstring), the same for the same seed.

    Parameters
    ----------
    n : number of scenes
    classes : C >= 2, background included; the objects' classes are 1..C-1
    seed : an int or a ``numpy.random.SeedSequence``
    marker_radius : 1 gives 3x3 markers, 0 single-pixel ones (thin evidence that holes can miss)

    Returns
    -------
    :class:`Scenes` with images (n, C, 64, 64) and labels (n, 64, 64)

    Examples
    --------
    >>> s = marked_discs(3, classes=4, seed=0)
    >>> s.images.shape, s.labels.shape, s.centres.shape  # (N, C, H, W), (N, H, W), (N, 4 objects, 2)
    (torch.Size([3, 4, 64, 64]), torch.Size([3, 64, 64]), torch.Size([3, 4, 2]))
    >>> bool(torch.equal(s.labels, marked_discs(3, classes=4, seed=0).labels))  # seeded
    True
    """
    n = check_int(n, "n", minimum=0)
    c = _check_classes(classes)
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(check_int(seed, "seed", minimum=0))
    geometry_seed, class_seed = seed.spawn(2)  # classes independent of where the objects are
    geometry, labelling = np.random.default_rng(geometry_seed), np.random.default_rng(class_seed)
    cell = SIZE // GRID
    corners = np.array([(i * cell, j * cell) for i in range(GRID) for j in range(GRID)])  # (K, 2)
    k = len(corners)
    centres = corners + geometry.integers(MARGIN, cell - MARGIN, size=(n, k, 2))
    radii = geometry.uniform(RADIUS_MIN, RADIUS_MAX, size=(n, k))
    object_classes = labelling.integers(1, c, size=(n, k))
    centres_t = torch.from_numpy(centres).long()
    radii_t = torch.from_numpy(radii).float()
    classes_t = torch.from_numpy(object_classes).long()
    images, labels = render(centres_t, radii_t, classes_t, c, marker_radius=marker_radius)
    return Scenes(images, labels, centres_t, radii_t, classes_t, marker_radius)


def make_splits(
    n_train: int = 512, n_test: int = 128, classes: int = 4, seed: int = 0, *, marker_radius: int = MARKER_RADIUS
) -> tuple[Scenes, Scenes]:
    """A training split and a held-out split of marked-disc scenes, drawn from independent seeds.

    Examples
    --------
    >>> train_set, test_set = make_splits(8, 4, classes=3, seed=1)
    >>> len(train_set), len(test_set), train_set.classes
    (8, 4, 3)
    """
    root = np.random.SeedSequence(check_int(seed, "seed", minimum=0))
    train_seed, test_seed = root.spawn(2)
    return (
        marked_discs(n_train, classes, train_seed, marker_radius=marker_radius),
        marked_discs(n_test, classes, test_seed, marker_radius=marker_radius),
    )


def marker_distance(scenes: Scenes) -> torch.Tensor:
    """For every pixel, the Chebyshev distance (max of row and column offsets) to the nearest marker pixel.

    A network whose receptive field is ``2 r + 1`` pixels wide sees a marker from a pixel exactly when
    this distance is at most ``r``: 7 for a field of 15, 33 for the context module's 67.

    Returns
    -------
    (N, 64, 64) int64

    Examples
    --------
    >>> s = marked_discs(1, seed=0)
    >>> d = marker_distance(s)
    >>> d.shape, int(d.min())  # (N, H, W); 0 on the markers themselves
    (torch.Size([1, 64, 64]), 0)
    """
    rows = torch.arange(SIZE).view(1, 1, SIZE, 1)
    cols = torch.arange(SIZE).view(1, 1, 1, SIZE)
    dy = (rows - scenes.centres[:, :, 0, None, None]).abs()
    dx = (cols - scenes.centres[:, :, 1, None, None]).abs()
    centre_distance = torch.maximum(dy, dx).min(dim=1).values  # (N, H, W)
    return (centre_distance - scenes.marker_radius).clamp(min=0)


def missed_by_holes(scenes: Scenes, dilations: Sequence[int], kernel_size: int = 3) -> torch.Tensor:
    """The object pixels whose own object's marker centre lies in a hole of a stack of 3x3 (k x k) layers.

    A pixel's own object is the one whose class it carries (the nearest centre among the discs that contain
    it). The stack samples the row offsets and the column offsets of :func:`dilconv_lib.receptive.reached_offsets`;
    a pixel is missed when the row or the column offset to its marker's centre is not among them (a hole, or
    beyond the field). With single-pixel markers (``marker_radius=0``) such a pixel never sees its marker.

    Parameters
    ----------
    scenes : :class:`Scenes`
    dilations : one rate per k x k layer (1x1 layers reach offset 0 only and can be left out)
    kernel_size : k, odd

    Returns
    -------
    (N, 64, 64) bool, False on the background

    Examples
    --------
    Every rate even: the pixels at an odd row or column offset from their marker are missed, three in four.

    >>> s = marked_discs(8, seed=0, marker_radius=0)
    >>> missed = missed_by_holes(s, [2, 2, 2, 4, 8, 16, 2])
    >>> round(float(missed.sum() / (s.labels > 0).sum()), 2)
    0.75
    >>> bool(missed_by_holes(s, [1, 1, 2, 4, 8, 16, 1]).any())  # Yu & Koltun's rates leave no hole
    False
    """
    from dilconv_lib.receptive import reached_offsets

    reach = torch.zeros(2 * SIZE + 1, dtype=torch.bool)  # offsets -SIZE..SIZE
    for offset in reached_offsets(list(dilations), kernel_size):
        if abs(offset) <= SIZE:
            reach[offset + SIZE] = True
    rows = torch.arange(SIZE).view(1, 1, SIZE, 1)
    cols = torch.arange(SIZE).view(1, 1, 1, SIZE)
    dy = rows - scenes.centres[:, :, 0, None, None]  # (N, K, H, 1)
    dx = cols - scenes.centres[:, :, 1, None, None]  # (N, K, 1, W)
    dist2 = (dy**2 + dx**2).float()  # (N, K, H, W)
    inside = dist2 <= scenes.radii[:, :, None, None] ** 2
    own = torch.where(inside, dist2, torch.inf).argmin(dim=1, keepdim=True)  # (N, 1, H, W), as render chooses
    own_dy = dy.expand_as(dist2).gather(1, own)[:, 0]  # (N, H, W)
    own_dx = dx.expand_as(dist2).gather(1, own)[:, 0]
    seen = reach[own_dy + SIZE] & reach[own_dx + SIZE]
    return (scenes.labels > 0) & ~seen


def mean_iou(prediction: torch.Tensor, target: torch.Tensor, classes: int) -> float:
    """Mean intersection over union, accumulated over all pixels of all images, as in Pascal VOC.

    For each class, IoU = |predicted ∩ true| / |predicted ∪ true| over the whole set; the mean runs over
    the classes that occur in the prediction or the target. Returns a fraction in [0, 1].

    Parameters
    ----------
    prediction, target : int tensors of the same shape, e.g. (N, H, W), values in 0..classes-1
    classes : C

    Examples
    --------
    >>> t = torch.tensor([[0, 0, 1, 1]])
    >>> mean_iou(t, t, 2)
    1.0
    >>> mean_iou(torch.tensor([[0, 0, 0, 1]]), t, 2)  # class 0: 2/3, class 1: 1/2
    0.5833333333333333
    """
    c = _check_classes(classes)
    if prediction.shape != target.shape:
        raise ValueError(
            tr(
                "prediction and target must have the same shape, got {prediction} and {target}",
                prediction=prediction.shape,
                target=target.shape,
            )
        )
    ious = []
    for k in range(c):
        p, t = prediction == k, target == k
        union = int((p | t).sum())
        if union:
            ious.append(int((p & t).sum()) / union)
    return float(np.mean(ious)) if ious else float("nan")


def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 64) -> torch.Tensor:
    """The class of each pixel: the argmax over the model's C output maps, (N, C, H, W) -> (N, H, W)."""
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = [model(images[i : i + batch_size]).argmax(dim=1) for i in range(0, len(images), batch_size)]
    model.train(was_training)
    return torch.cat(out) if out else torch.empty(0, *images.shape[2:], dtype=torch.int64)


def scores(model: nn.Module, scenes: Scenes, *, reach: int = 7, holes: Sequence[int] | None = None) -> dict[str, float]:
    """How well ``model`` labels ``scenes``: the measures notebook 06 and ``make experiments`` report.

    Parameters
    ----------
    model : maps (N, C, 64, 64) to (N, C, 64, 64) class scores
    scenes : held-out :class:`Scenes`
    reach : "out of sight" means no marker within this Chebyshev distance: 7 for a plain stack's field of 15
    holes : rates of a stack with holes; when given, also the accuracy on the pixels it misses

    Returns
    -------
    ``miou``: mean IoU in %; ``accuracy``: the share of all pixels labelled right; ``out_of_sight``: the share
    of object pixels with no marker within ``reach`` labelled right; ``missed``: the share of the pixels
    :func:`missed_by_holes` marks for ``holes`` labelled right (only with ``holes``)

    Examples
    --------
    >>> from dilconv_lib.context import ContextModule
    >>> s = marked_discs(2, classes=3, seed=0)
    >>> sorted(scores(ContextModule(3), s))  # untrained: identity init
    ['accuracy', 'miou', 'out_of_sight']
    """
    reach = check_int(reach, "reach", minimum=0)
    p = predict(model, scenes.images)  # (N, H, W)
    right = p == scenes.labels
    hidden = (marker_distance(scenes) > reach) & (scenes.labels > 0)
    result = {
        "miou": 100 * mean_iou(p, scenes.labels, scenes.classes),
        "accuracy": right.float().mean().item(),
        "out_of_sight": right[hidden].float().mean().item(),
    }
    if holes is not None:
        result["missed"] = right[missed_by_holes(scenes, holes)].float().mean().item()
    return result


def train(
    model: nn.Module,
    data: Scenes,
    steps: int,
    batch_size: int = 16,
    lr: float = 1e-2,
    seed: int = 0,
    log_every: int = 0,
    name: str = "",
    channels_last: bool = True,
) -> list[float]:
    """Train ``model`` on ``data`` with Adam and per-pixel cross-entropy; return the loss of every step.

    Each step takes ``batch_size`` scenes; the order is a fresh random permutation each epoch, from a
    generator seeded with ``seed`` (torch's global generator is left alone).

    Parameters
    ----------
    model : maps (N, C, 64, 64) to (N, C, 64, 64) class scores
    data : the training :class:`Scenes`
    steps : number of optimiser steps
    batch_size, lr : Adam's batch size and learning rate
    seed : seeds the batch order
    log_every : print a progress line every this many steps (and after the last); 0 prints nothing
    name : the model's name on the progress lines
    channels_last : keep the weights and the batches in ``torch.channels_last`` memory layout ((N, H, W, C) in
        memory, the same tensors to every reader); oneDNN's CPU convolutions with a few channels run about
        twice as fast on it

    Examples
    --------
    >>> from dilconv_lib.context import ContextModule
    >>> _ = torch.manual_seed(0)
    >>> losses = train(ContextModule(3), marked_discs(4, classes=3), steps=3, batch_size=2)
    >>> len(losses), losses[-1] < losses[0]
    (3, True)
    """
    steps = check_int(steps, "steps", minimum=0)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    log_every = check_int(log_every, "log_every", minimum=0)
    lr = check_real(lr, "lr", above=0)
    if len(data) == 0:
        raise ValueError(tr("data must hold at least one scene"))
    generator = torch.Generator().manual_seed(check_int(seed, "seed", minimum=0))
    layout = torch.channels_last if channels_last else torch.contiguous_format
    model.to(memory_format=layout)  # type: ignore[call-overload]  # Module.to takes it; the stub omits it
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    order = torch.empty(0, dtype=torch.int64)
    losses: list[float] = []
    start = time.perf_counter()
    for step in range(1, steps + 1):
        if len(order) < batch_size:
            order = torch.cat([order, torch.randperm(len(data), generator=generator)])
        batch, order = order[:batch_size], order[batch_size:]
        images = data.images[batch].contiguous(memory_format=layout)  # (B, C, H, W)
        loss = F.cross_entropy(model(images), data.labels[batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        if log_every and (step % log_every == 0 or step == steps):
            bar = "#" * (20 * step // steps)
            print(
                tr(
                    "{name:<16} [{bar:<20}] step {step:4d}/{steps}  loss {loss:.3f}  {seconds:5.1f} s",
                    name=name,
                    bar=bar,
                    step=step,
                    steps=steps,
                    loss=loss.item(),
                    seconds=time.perf_counter() - start,
                ),
                flush=True,
            )
    return losses


def class_colours(classes: int) -> np.ndarray:
    """An RGB colour per class, (C, 3) floats in [0, 1]: light grey for the background, then tab10's colours.

    >>> class_colours(4).shape
    (4, 3)
    """
    import matplotlib

    c = _check_classes(classes)
    tab = matplotlib.colormaps["tab10"]
    return np.array([(0.85, 0.85, 0.85)] + [tab(k % 10)[:3] for k in range(c - 1)])


def colourise(labels: torch.Tensor, classes: int) -> np.ndarray:
    """Labels (H, W) to an RGB picture (H, W, 3) in the colours of :func:`class_colours`.

    >>> colourise(torch.zeros(2, 5, dtype=torch.int64), 3).shape
    (2, 5, 3)
    """
    colours: np.ndarray = class_colours(classes)[np.asarray(labels)]
    return colours


def input_rgb(image: torch.Tensor) -> np.ndarray:
    """One input (C, H, W) as an RGB picture (H, W, 3): background (channel 0) light grey, objects black,
    each marker in its class's colour (:func:`class_colours`).

    >>> images, _ = render(torch.tensor([[[10, 20]]]), torch.tensor([[5.0]]), torch.tensor([[1]]), 3)
    >>> rgb = input_rgb(images[0])
    >>> rgb.shape, rgb[0, 0].tolist(), rgb[10, 16].tolist()  # (H, W, 3); background; inside the object
    ((64, 64, 3), [0.85, 0.85, 0.85], [0.0, 0.0, 0.0])
    """
    x = np.asarray(image, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(tr("image must have shape (C, H, W), got {shape}", shape=x.shape))
    colours = class_colours(x.shape[0])
    rgb = x[0, :, :, None] * colours[0]  # background grey, objects 0
    for k in range(1, x.shape[0]):
        rgb = np.where(x[k, :, :, None] > 0, colours[k], rgb)
    return np.asarray(rgb)
