"""The dense-prediction task of notebook 06 (dilconv_lib.tasks): scenes, labels, the metric, training."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from dilconv_lib.context import ContextModule, PlainStack
from dilconv_lib.tasks import (
    MARKER_RADIUS,
    SIZE,
    make_splits,
    marked_discs,
    marker_distance,
    mean_iou,
    missed_by_holes,
    predict,
    render,
    scores,
    train,
)

# --- training ------------------------------------------------------------------------------------------------


def test_a_short_training_run_lowers_the_loss() -> None:
    torch.manual_seed(0)
    data = marked_discs(8, classes=3, seed=0)
    losses = train(ContextModule(3), data, steps=12, batch_size=4, lr=1e-2)
    assert len(losses) == 12
    assert sum(losses[-3:]) / 3 < losses[0]
    prediction = predict(ContextModule(3), data.images)
    assert prediction.shape == data.labels.shape and prediction.dtype == torch.int64


def test_train_prints_progress(capsys: pytest.CaptureFixture[str]) -> None:
    torch.manual_seed(0)
    train(PlainStack(2), marked_discs(2, classes=2), steps=2, batch_size=1, log_every=1, name="plain")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[-1].startswith("plain") and "step    2/2" in lines[-1]


# --- the task ----------------------------------------------------------------------------------------------


def test_task_shapes_and_values() -> None:
    s = marked_discs(6, classes=5, seed=2)
    assert s.images.shape == (6, 5, SIZE, SIZE) and s.images.dtype == torch.float32
    assert s.labels.shape == (6, SIZE, SIZE) and s.labels.dtype == torch.int64
    assert s.labels.min() >= 0 and s.labels.max() <= 4
    assert torch.equal(s.images[:, 0], (s.labels == 0).float())  # channel 0: the background
    assert len(s) == 6 and s.classes == 5 and len(s[:2]) == 2 and len(s[3]) == 1
    side = 2 * MARKER_RADIUS + 1
    for n in range(6):
        for (row, col), k in zip(s.centres[n].tolist(), s.object_classes[n].tolist()):
            assert s.images[n, k, row, col] == 1 and s.labels[n, row, col] == k
        # one 3x3 marker per object, in its class's channel
        assert s.images[n, 1:].sum().item() == side * side * s.centres.shape[1]


def test_task_is_seeded() -> None:
    a, b, c = marked_discs(4, seed=5), marked_discs(4, seed=5), marked_discs(4, seed=6)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.labels, c.labels)
    train_a, test_a = make_splits(4, 3, seed=0)
    train_b, test_b = make_splits(4, 3, seed=0)
    assert torch.equal(train_a.images, train_b.images) and torch.equal(test_a.labels, test_b.labels)
    assert not torch.equal(train_a.labels[:3], test_a.labels)


def test_labels_need_context() -> None:
    """Out of a 15x15 field's reach, an object pixel looks the same whatever its class."""
    s = marked_discs(16, classes=4, seed=0)
    distance = marker_distance(s)
    objects = s.labels > 0
    hidden = objects & (distance > 7)  # no marker within a 15x15 field
    assert hidden.sum() > 0.5 * objects.sum()
    assert distance[objects].max() <= 33  # but the context module's 67x67 field always reaches one
    # the same objects with other classes: the input changes only at the markers ...
    other = s.object_classes % 3 + 1
    images, labels = render(s.centres, s.radii, other, 4)
    changed = (images != s.images).any(dim=1, keepdim=True).float()
    near_change = F.max_pool2d(changed, 15, stride=1, padding=7)[:, 0] > 0
    # ... so every 15x15 window around a hidden pixel is the same in both, while its label differs
    assert not near_change[hidden].any()
    assert (labels[hidden] != s.labels[hidden]).all()
    # and the classes are spread evenly: a guess is right about one time in three
    counts = torch.bincount(s.labels[hidden], minlength=4)[1:].float()
    assert counts.min() > 0.15 * counts.sum()


def test_marker_distance_by_brute_force() -> None:
    s = marked_discs(1, classes=3, seed=4)
    marker = s.images[0, 1:].sum(dim=0) > 0  # (H, W)
    points = marker.nonzero()  # (M, 2)
    rows, cols = torch.meshgrid(torch.arange(SIZE), torch.arange(SIZE), indexing="ij")
    brute = (
        torch.maximum((rows[..., None] - points[:, 0]).abs(), (cols[..., None] - points[:, 1]).abs()).min(dim=-1).values
    )
    assert torch.equal(marker_distance(s)[0], brute)


def test_render_labels_the_nearest_containing_centre() -> None:
    centres = torch.tensor([[[20, 20], [20, 30]]])
    _, labels = render(centres, torch.tensor([[16.0, 3.0]]), torch.tensor([[1, 2]]), 3)
    assert labels[0, 20, 29] == 2  # nearer to the second centre, inside both discs
    assert labels[0, 20, 34] == 1  # outside the small disc: the big disc's class, though the small centre is nearer
    assert labels[0, 20, 40] == 0


def test_mean_iou() -> None:
    t = torch.tensor([[0, 0, 1, 1, 2]])
    assert mean_iou(t, t, 3) == 1.0
    assert mean_iou(torch.tensor([[0, 0, 0, 1, 2]]), t, 3) == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert mean_iou(torch.tensor([[1, 1]]), torch.tensor([[0, 0]]), 2) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        mean_iou(t, t[:, :2], 3)


# --- bad arguments ---------------------------------------------------------------------------------------


def test_task_bad_arguments() -> None:
    with pytest.raises(ValueError, match="classes"):
        marked_discs(2, classes=1)
    with pytest.raises(ValueError, match="n must be"):
        marked_discs(-1)
    with pytest.raises(TypeError, match="seed"):
        marked_discs(2, seed=1.5)
    with pytest.raises(ValueError, match="object_classes"):
        render(torch.tensor([[[10, 10]]]), torch.tensor([[3.0]]), torch.tensor([[3]]), 3)
    with pytest.raises(ValueError, match="centres"):
        render(torch.tensor([[[0, 10]]]), torch.tensor([[3.0]]), torch.tensor([[1]]), 3)
    with pytest.raises(ValueError, match="steps"):
        train(PlainStack(2), marked_discs(2, classes=2), steps=-1)
    with pytest.raises(ValueError, match="lr"):
        train(PlainStack(2), marked_discs(2, classes=2), steps=1, lr=0)


# --- thin markers and holes (notebook 06, section 5) -------------------------------------------------------------


def test_single_pixel_markers() -> None:
    s = marked_discs(3, classes=4, seed=2, marker_radius=0)
    assert s.marker_radius == 0 and s[1:].marker_radius == 0
    assert int(s.images[:, 1:].sum()) == 3 * 4  # one pixel per object
    assert torch.equal(s.labels, marked_discs(3, classes=4, seed=2).labels)  # the same objects and labels
    assert int(marker_distance(s).min()) == 0


@pytest.mark.parametrize("rates", [(2, 2, 2, 4, 8, 16, 2), (2, 4), (1, 1, 2, 4, 8, 16, 1), (3, 3), (1, 30)])
def test_missed_by_holes_against_the_definition(rates: tuple[int, ...]) -> None:
    from dilconv_lib.receptive import reached_offsets

    s = marked_discs(4, classes=3, seed=5, marker_radius=0)
    missed = missed_by_holes(s, rates)
    reached = set(reached_offsets(list(rates)))
    for n in range(len(s)):
        for i in range(SIZE):
            for j in range(SIZE):
                if s.labels[n, i, j] == 0:
                    assert not missed[n, i, j]
                    continue
                # the own object: the nearest centre among the discs that contain the pixel
                d2 = [((i - r) ** 2 + (j - c) ** 2, k) for k, (r, c) in enumerate(s.centres[n].tolist())]
                inside = [(d, k) for d, k in d2 if d <= float(s.radii[n, k]) ** 2]
                k = min(inside)[1]
                r, c = s.centres[n, k].tolist()
                assert bool(missed[n, i, j]) == ((i - r) not in reached or (j - c) not in reached)


def test_scores() -> None:
    s = marked_discs(4, classes=3, seed=0)
    got = scores(ContextModule(3), s, holes=(2, 2))
    assert set(got) == {"miou", "accuracy", "out_of_sight", "missed"}
    assert 0 <= got["accuracy"] <= 1 and 0 <= got["miou"] <= 100
    perfect = scores(_Oracle(s), s)
    assert perfect == {"miou": 100.0, "accuracy": 1.0, "out_of_sight": 1.0}


class _Oracle(torch.nn.Module):
    """Returns the right labels' one-hot scores for the scenes it was made with."""

    def __init__(self, scenes: object) -> None:
        super().__init__()
        self.scenes = scenes

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        labels = self.scenes.labels[: len(images)]  # type: ignore[attr-defined]
        return F.one_hot(labels, self.scenes.classes).permute(0, 3, 1, 2).float()  # type: ignore[attr-defined]
