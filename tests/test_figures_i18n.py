"""The library's figures, explorers and printed tables in the learner's language, with a font that draws it.

In Chinese, no text of a figure or an explorer holds an English sentence, the titles, labels and legends are
Chinese, matplotlib picks a CJK font for them and draws every glyph; in English, everything is as it was,
pixel for pixel (the notebooks' stored outputs are compared by nbval).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text

from dilconv_lib import i18n
from dilconv_lib.figures import (
    draw_backbone_stages,
    draw_entry_layers,
    draw_heatmap,
    draw_hole_map,
    draw_sampling,
    draw_values,
    draw_widening,
    figure_png,
)
from dilconv_lib.widgets import (
    backbone_explorer,
    backbone_figure,
    backbone_text,
    parse_dilations,
    sampling_explorer,
    sampling_figure,
    sampling_text,
    show_backbone,
    show_sampling,
    show_stack,
    stack_explorer,
    stack_figure,
    stack_text,
)

matplotlib.use("Agg")  # draw without a display

ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")  # three English words in a row
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGS = Path(os.environ.get("DILCONV_FIGS_DIR", "")) if os.environ.get("DILCONV_FIGS_DIR") else None


@pytest.fixture
def zh() -> Iterator[None]:
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language(None)


@pytest.fixture
def en() -> Iterator[None]:
    i18n.set_language("en")
    try:
        yield
    finally:
        i18n.set_language(None)


def _stage_rows() -> dict[int, Any]:
    from dilconv_lib.backbone import replace_stride_with_dilation, resnet_layers, stage_rows

    return {
        os_: list(stage_rows(resnet_layers(replace_stride_with_dilation=replace_stride_with_dilation(os_)), 256))
        for os_ in (32, 16, 8)
    }


def _heat() -> np.ndarray:
    return np.random.default_rng(0).random((9, 9))


# Each of the library's figures, drawn by the library alone (no title given by the caller).
FIGURES: dict[str, Callable[[], Figure]] = {
    "draw_sampling": lambda: _draw(lambda fig: draw_sampling(fig.subplots(), 3, 2)),
    "draw_hole_map": lambda: _draw(lambda fig: draw_hole_map(fig.subplots(), [1, 2, 9])),
    "draw_heatmap": lambda: _draw(lambda fig: draw_heatmap(fig.subplots(), _heat(), field=5)),
    "draw_widening": lambda: _draw(lambda fig: draw_widening(fig.subplots(1, 3)), figsize=(12, 4.6)),
    "draw_entry_layers": lambda: _draw(lambda fig: draw_entry_layers(fig.subplots(), [1, 4]), figsize=(8, 4)),
    "draw_values": lambda: _draw(lambda fig: draw_values(fig.subplots(), np.arange(6.0).reshape(2, 3))),
    "draw_backbone_stages": lambda: _draw(lambda fig: draw_backbone_stages(fig.subplots(), _stage_rows())),
    "draw_backbone_stages multiply_adds": lambda: _draw(
        lambda fig: draw_backbone_stages(fig.subplots(), _stage_rows(), "multiply_adds")
    ),
    "sampling_figure": lambda: sampling_figure(3, 3),
    "stack_figure": lambda: stack_figure([1, 2, 9]),
    "backbone_figure": lambda: backbone_figure(256),
}


def _draw(draw: Callable[[Figure], object], figsize: tuple[float, float] = (5, 4)) -> Figure:
    fig = Figure(figsize=figsize)
    draw(fig)
    return fig


def texts(fig: Figure) -> list[Text]:
    """Every non-empty Text artist of the figure: titles, axis and tick labels, legends, annotations."""
    return [t for t in fig.findobj(Text) if t.get_text().strip()]


def labels(fig: Figure) -> list[str]:
    """The titles, axis labels and legend texts the library wrote (not ticks or numbers drawn in cells)."""
    found = []
    for ax in fig.axes:
        assert isinstance(ax, Axes)
        found += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if isinstance(legend, Legend):
            found += [t.get_text() for t in legend.get_texts()]
    return [text for text in found if text]


def draw_strictly(fig: Figure) -> None:
    """Render with Agg, any warning (a glyph missing from the font) an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FigureCanvasAgg(fig).draw()


# --- Chinese ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_in_chinese_holds_no_english_sentence(name: str, zh: None) -> None:
    fig = FIGURES[name]()
    english = [t.get_text() for t in texts(fig) if ENGLISH_SENTENCE.search(t.get_text())]
    assert not english, f"{name}: English sentences in a Chinese figure: {english}"
    written = labels(fig)
    if name not in ("draw_heatmap", "draw_values"):  # those two write only the caller's title
        assert written, f"{name} wrote no title, label or legend"
    assert all(CJK.search(text) for text in written), f"{name}: not all in Chinese: {written}"


@pytest.mark.parametrize("name", list(FIGURES))
def test_chinese_figure_uses_a_cjk_font_and_misses_no_glyph(name: str, zh: None) -> None:
    fig = FIGURES[name]()
    chinese = [t for t in texts(fig) if CJK.search(t.get_text())]
    for t in chinese:
        path = font_manager.findfont(t.get_fontproperties())
        assert "CJK" in path, f"{t.get_text()!r} is drawn with {path}"
    draw_strictly(fig)


def test_save_chinese_figures_to_look_at(zh: None, tmp_path: Path) -> None:
    """A few Chinese figures saved as PNG: into DILCONV_FIGS_DIR where it is set, to look at the glyphs by eye."""
    folder = FIGS or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("draw_widening", "draw_entry_layers", "backbone_figure", "stack_figure"):
        png = figure_png(FIGURES[name](), dpi=100)
        assert png.startswith(b"\x89PNG"), name
        (folder / f"{name}.zh.png").write_bytes(png)


def test_notebooks_own_plt_calls_draw_chinese_after_set_language(zh: None) -> None:
    """The font is matplotlib's default now, not only in the library's figures: a notebook's own title too."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        ax.set_title("每个像素从哪一层进入感受野")
        ax.set_xlabel("偏移 −3 … 3")  # a minus sign and an ellipsis: in the CJK face or DejaVu Sans after it
        assert "CJK" in font_manager.findfont(ax.title.get_fontproperties())
        draw_strictly(fig)
    finally:
        plt.close(fig)


def test_explorers_in_chinese(zh: None) -> None:
    for box in (sampling_explorer(), stack_explorer(), backbone_explorer()):
        controls, text, image = box.children
        assert isinstance(controls, widgets.HBox) and isinstance(text, widgets.HTML)
        descriptions = [c.description for c in controls.children]
        assert all(CJK.search(d) for d in descriptions), descriptions
        assert CJK.search(text.value) and not ENGLISH_SENTENCE.search(text.value), text.value
        assert isinstance(image, widgets.Image) and bytes(image.value).startswith(b"\x89PNG")


def test_stack_explorer_shows_a_typing_mistake_in_chinese(zh: None) -> None:
    explorer = stack_explorer()
    (box, _), text = explorer.children[0].children, explorer.children[1]
    for typed in ("1, two", "1, 0", " , "):
        box.value = typed
        assert CJK.search(text.value) and not ENGLISH_SENTENCE.search(text.value), text.value
    with pytest.raises(ValueError, match=r"dilations\[1\] 必须 >= 1，实际为 0"):
        parse_dilations("1, 0")


@pytest.mark.parametrize(
    "text",
    [
        lambda: sampling_text(3, 2),
        lambda: stack_text([1, 2, 9]),
        lambda: stack_text([2, 3, 5]),
        lambda: stack_text([1, 3, 1]),
        lambda: stack_text([4]),
        lambda: stack_text([1, 2, 11], 5),
        lambda: stack_text([1, 1000], 5),
        lambda: backbone_text(16, 512, (1, 2, 4)),
        lambda: backbone_text(8),
    ],
)
def test_printed_texts_in_chinese(text: Callable[[], str], zh: None) -> None:
    shown = text()
    assert CJK.search(shown)
    for line in shown.splitlines():
        assert not ENGLISH_SENTENCE.search(line), line


def test_chinese_tables_keep_their_columns(zh: None) -> None:
    """A Chinese header takes two columns a character: its words end over the numbers' last digits."""

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    lines = stack_text([1, 2, 9]).splitlines()
    assert [width(lines[1][: lines[1].index(word) + len(word)]) for word in ("层", "膨胀率", "感受野")] == [5, 15, 32]
    assert len(lines[2]) == 32
    total = next(line for line in backbone_text(16).splitlines() if line.startswith("合计"))
    i18n.set_language("en")
    english = next(line for line in backbone_text(16).splitlines() if line.startswith("total"))
    assert width(total) == len(english) and total.endswith(english[5:].lstrip()), (total, english)


def test_show_functions_print_chinese(zh: None, capsys: pytest.CaptureFixture[str]) -> None:
    import matplotlib.pyplot as plt

    show_sampling(3, 2, figure=False)
    show_stack([1, 2, 9], figure=False)
    show_backbone(16, 256, figure=False)
    out = capsys.readouterr().out
    assert out == sampling_text(3, 2) + "\n" + stack_text([1, 2, 9]) + "\n" + backbone_text(16, 256) + "\n"
    assert CJK.search(out)
    plt.close("all")


def test_timing_and_training_line_in_chinese(zh: None) -> None:
    from dilconv_lib.timing import Timing

    t = Timing((0.002, 0.001, 0.004), calls_per_sample=10, threads=2, library="numpy", other_cores=0.9)
    assert str(t) == (
        "2.00 ms（最快 1.00 ms，离散度 150%，3 个样本，每个样本调用 10 次，2 个线程；"
        "机器繁忙：其他进程占用了 0.9 个核）"
    )


def test_train_prints_its_progress_in_chinese(zh: None, capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    from dilconv_lib.context import ContextModule
    from dilconv_lib.tasks import marked_discs, train

    torch.manual_seed(0)
    train(ContextModule(3), marked_discs(2, classes=3), steps=2, batch_size=2, log_every=2, name="ctx")
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r"ctx +\[#{20}\] 第 +2/2 步  损失 \d\.\d{3} +\d+\.\d 秒", line), line


# --- English: as it was -----------------------------------------------------------------------------------


ENGLISH_LABELS = {
    "draw_sampling": ["3x3 kernel, dilation 2: spans 5x5"],
    "draw_hole_map": ["[1, 2, 9]: 25x25, 184 holes"],
    "draw_widening": [
        "a bigger kernel: 5x5\nreads 25 pixels with 25 weights",
        "output 10x10: full resolution",
        "pooling (2x2, stride 2), then 3x3\nreads 36 pixels with 9 weights",
        "output 5x5: half the resolution",
        "dilation 2: a 3x3 kernel spanning 5x5\nreads 9 pixels with 9 weights",
        "output 10x10: full resolution",
    ],
    "draw_entry_layers": [
        "where each pixel enters the field: dilations [1, 4]",
        "layer 1, dilation 1: 3x3",
        "layer 2, dilation 4: 11x11",
        "never read (holes)",
    ],
    "draw_backbone_stages": ["activations (MiB, float32)", "output stride 32", "output stride 16", "output stride 8"],
    "draw_backbone_stages multiply_adds": [
        "multiply-adds (G)",
        "output stride 32",
        "output stride 16",
        "output stride 8",
    ],
    "backbone_figure": [
        "ResNet-50 on 256 x 256: activations per stage",
        "activations (MiB, float32)",
        "output stride 32",
        "output stride 16",
        "output stride 8",
    ],
}


@pytest.mark.parametrize("name", list(ENGLISH_LABELS))
def test_english_labels_are_unchanged(name: str, en: None) -> None:
    assert labels(FIGURES[name]()) == ENGLISH_LABELS[name]


@pytest.mark.parametrize("name", ["draw_sampling", "draw_widening", "draw_entry_layers", "backbone_figure"])
def test_english_figures_are_pixel_identical_after_a_chinese_round_trip(name: str, en: None) -> None:
    """English figures draw with matplotlib's own fonts: switching to Chinese and back leaves no trace."""
    before = list(matplotlib.rcParams["font.sans-serif"])
    png = figure_png(FIGURES[name]())
    i18n.set_language("zh")
    assert figure_png(FIGURES[name]()) != png
    i18n.set_language("en")
    assert list(matplotlib.rcParams["font.sans-serif"]) == before
    assert figure_png(FIGURES[name]()) == png


def test_english_explorers_are_unchanged(en: None) -> None:
    assert [c.description for c in sampling_explorer().children[0].children] == ["kernel size", "dilation"]
    assert [c.description for c in stack_explorer().children[0].children] == ["dilations", "kernel size"]
    assert [c.description for c in backbone_explorer().children[0].children] == [
        "output stride",
        "layer4 rates",
        "input size",
    ]
    assert stack_text([4]).splitlines()[1] == "layer  dilation  receptive field"
    assert backbone_text(16).splitlines()[1] == "stage    stride  dilations  feature  activations  multiply-adds"
    assert backbone_text(16).splitlines()[-4].startswith("total" + " " * 32)


# --- the font hook ----------------------------------------------------------------------------------------


def test_set_language_puts_the_bundled_cjk_font_first_once() -> None:
    before = list(matplotlib.rcParams["font.sans-serif"])
    try:
        i18n.set_language("zh")
        first = list(matplotlib.rcParams["font.sans-serif"])
        assert first[:2] == ["Noto Sans CJK SC", "DejaVu Sans"]
        registered = sum(entry.name == "Noto Sans CJK SC" for entry in font_manager.fontManager.ttflist)
        i18n.set_language("zh")  # twice: no change, no second copy of the font
        assert i18n.sync_font() == "Noto Sans CJK SC"
        assert list(matplotlib.rcParams["font.sans-serif"]) == first
        assert sum(entry.name == "Noto Sans CJK SC" for entry in font_manager.fontManager.ttflist) == registered
    finally:
        i18n.set_language(None)
    assert list(matplotlib.rcParams["font.sans-serif"]) == before


def test_the_bundled_font_is_found_without_importing_mplfonts() -> None:
    code = (
        "import sys; from dilconv_lib.i18n import bundled_cjk_font; path = bundled_cjk_font(); "
        "print(path.name, 'mplfonts' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["NotoSansCJKsc-Regular.otf", "False"]


def test_importing_the_library_applies_the_font_where_dilconv_lang_is_zh() -> None:
    code = "import matplotlib, dilconv_lib; print(matplotlib.rcParams['font.sans-serif'][0])"
    env = {**os.environ, "DILCONV_LANG": "zh"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "Noto Sans CJK SC"
    env["DILCONV_LANG"] = "en"  # English: the library does not even import matplotlib
    code = "import sys, dilconv_lib; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "False"


def test_a_system_cjk_font_is_found_by_family_where_mplfonts_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = i18n.bundled_cjk_font()
    assert bundled is not None
    monkeypatch.setattr(i18n, "bundled_cjk_font", lambda: None)
    others = [entry for entry in font_manager.fontManager.ttflist if entry.name not in i18n.CJK_FAMILIES]
    system = font_manager.FontEntry(fname=str(bundled), name="Source Han Sans SC")  # as a system would name it
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [*others, system])
    try:
        i18n.set_language("zh")
        assert matplotlib.rcParams["font.sans-serif"][:2] == ["Source Han Sans SC", "DejaVu Sans"]
    finally:
        i18n.set_language(None)


def test_no_cjk_font_warns_once_naming_mplfonts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "bundled_cjk_font", lambda: None)
    others = [entry for entry in font_manager.fontManager.ttflist if entry.name not in i18n.CJK_FAMILIES]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", others)
    monkeypatch.setattr(i18n, "_warned", set())
    before = list(matplotlib.rcParams["font.sans-serif"])
    try:
        with pytest.warns(UserWarning, match="pip install mplfonts"):
            i18n.set_language("zh")
        assert list(matplotlib.rcParams["font.sans-serif"]) == before
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert i18n.sync_font() is None  # once only
    finally:
        i18n.set_language(None)
