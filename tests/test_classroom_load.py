"""``make classroom-load`` (tools/classroom_load.py): the report's statistics on known inputs, the tool's bounds and
argument errors, the scenarios' cells. Three simulated learners through a hub of their own are
``tests/test_classroom_load_run.py`` (``make test-classroom-load``)."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools import classroom_load as load

ROOT = Path(__file__).resolve().parents[1]


# --- the statistics ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([5.0], 50, 5.0),
        ([5.0], 95, 5.0),
        ([3.0, 1.0, 2.0], 50, 2.0),  # the middle one, whatever the order
        ([4.0, 1.0, 3.0, 2.0], 50, 2.0),  # nearest rank: ceil(0.5 * 4) = 2nd smallest, never an average
        ([4.0, 1.0, 3.0, 2.0], 95, 4.0),
        (list(range(1, 21)), 95, 19),  # ceil(0.95 * 20) = 19th
        (list(range(1, 21)), 50, 10),
        (list(range(1, 101)), 95, 95),
        (list(range(1, 101)), 100, 100),
        ([0.2] * 19 + [9.0], 95, 0.2),  # one straggler in 20 is above the 95th percentile
        ([0.2] * 18 + [9.0, 9.0], 95, 9.0),  # two are not
    ],
)
def test_percentile_by_the_nearest_rank(values: list[float], q: float, expected: float) -> None:
    assert load.percentile(values, q) == expected


def test_percentile_of_nothing_and_bad_q() -> None:
    assert math.isnan(load.percentile([], 50))
    for q in (0, -5, 101):
        with pytest.raises(ValueError, match=f"q={q}"):
            load.percentile([1.0], q)


def test_summarize() -> None:
    assert load.summarize([2.0, 8.0, 4.0, 6.0]) == {"count": 4, "p50": 4.0, "p95": 8.0, "max": 8.0}
    empty = load.summarize([])
    assert empty["count"] == 0 and all(math.isnan(empty[k]) for k in ("p50", "p95", "max"))


# --- the bounds -----------------------------------------------------------------------------------------------


def test_bounds_accept_what_the_docs_measure() -> None:
    for n in (1, 5, 10, 20, 40, load.MAX_STUDENTS):
        load.check_bounds(n, 600, "lab")
    load.check_bounds(3, 10, "smoke")
    load.check_bounds(3, load.MAX_SECONDS, "lecture")


@pytest.mark.parametrize(
    ("students", "seconds", "scenario", "error", "words"),
    [
        (0, 60, "lecture", ValueError, "STUDENTS=0"),
        (load.MAX_STUDENTS + 1, 60, "lecture", ValueError, f"STUDENTS={load.MAX_STUDENTS + 1}"),
        (True, 60, "lecture", TypeError, "STUDENTS=True"),
        ("3", 60, "lecture", TypeError, "STUDENTS='3'"),
        (3, 5, "lecture", ValueError, "LOAD_SECONDS=5"),
        (3, load.MAX_SECONDS + 1, "lecture", ValueError, f"LOAD_SECONDS={load.MAX_SECONDS + 1}"),
        (3, "60", "lecture", TypeError, "LOAD_SECONDS='60'"),
        (3, 60, "exam", ValueError, "SCENARIO='exam'"),
    ],
)
def test_bounds_refuse_and_name_the_argument(
    students: object, seconds: object, scenario: str, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=re.escape(words)):
        load.check_bounds(students, seconds, scenario)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:8000/", "https://127.0.0.1:443", "http://[::1]:8000"]
)
def test_loopback_urls_pass(url: str) -> None:
    assert load.check_url(url) == url


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.5:8000", "http://example.org", "http://127.0.0.2:8000", "ws://127.0.0.1:8000", "127.0.0.1:8000"],
)
def test_other_hosts_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"url=.*this machine only"):
        load.check_url(url)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--students", ""], "STUDENTS=''"),
        (["--students", "abc"], "STUDENTS='abc'"),
        (["--students", "0"], "STUDENTS=0"),
        (["--students", "151"], "STUDENTS=151"),
        (["--students", "3", "--seconds", "ten"], "LOAD_SECONDS='ten'"),
        (["--students", "3", "--seconds", "7200"], "LOAD_SECONDS=7200"),
        (["--students", "3", "--scenario", "exam"], "SCENARIO='exam'"),
        (["--students", "3", "--rate", "0"], "LOAD_RATE=0"),
    ],
)
def test_bad_arguments_start_nothing(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Each refusal is one line naming the argument, exit 2, before any hub is looked for or started."""
    assert load.main([*args, "--dir", str(tmp_path / "no-classroom"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("classroom-load: ") and words in err[0], err
    assert not (tmp_path / "out").exists() and not (tmp_path / "no-classroom").exists()


def test_importing_the_tool_patches_nothing() -> None:
    """Locust's gevent patches the standard library when imported: the tool imports it only to run a class."""
    code = "import sys, tools.classroom_load; assert not {'locust', 'gevent'} & set(sys.modules), sys.modules.keys()"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --- the scenarios --------------------------------------------------------------------------------------------


def test_the_scenarios_cells_exist() -> None:
    """Each scenario's notebooks are the course's, and the lab ends on 06's training cell (the ten trainings)."""
    for scenario in load.SCENARIOS.values():
        for stem, last in scenario.notebooks:
            cells = load._cells(ROOT / "notebooks", stem, last)
            assert cells, stem
            if last is None:  # the whole notebook: every code cell
                assert cells[-1][0].strip(), stem
    assert load.SCENARIOS["lab"].notebooks[1] == ("06_context_module", load.TRAINING)
    lab = load._cells(ROOT / "notebooks", "06_context_module", load.TRAINING)
    assert re.search(load.TRAINING, lab[-1][0]) and "train(" in lab[-1][0]  # ends on the first training cell
    assert not any("train(" in source for source, _ in lab[:-1])
    with pytest.raises(ValueError, match="no cell matching"):
        load._cells(ROOT / "notebooks", "01_by_hand", r"^NO SUCH CELL$")


def test_the_table_shows_every_figure() -> None:
    nan = load.summarize([])
    report = {
        "scenario": "lab",
        "what": "w",
        "students": 2,
        "wall_s": 10.0,
        "load_before": 0.5,
        "cores": 2,
        "memory_gb": 24.0,
        "ready_s": load.summarize([1.0, 3.0]),
        "cell_s": load.summarize([0.1, 0.2, 0.3]),
        "train_s": nan,
        "processes": {name: {"peak_rss_mb": 100.0, "peak_cores": 0.5, "cpu_s": 2.0} for name in load.Sampler.GROUPS},
        "kernels": {"01_by_hand": {"cpu_s": load.summarize([2.0]), "rss_mb": load.summarize([290.0])}},
        "idle_rss_per_learner_mb": None,
        "memory_taken_gb": 1.5,
        "min_available_gb": 20.0,
        "failures": [{"learner": "dcload1", "step": "login", "why": "refused"}],
    }
    text = load.table(report)
    assert re.search(r"server ready \(s\)\s+1\.0\s+3\.0\s+3\.0\s+2", text), text
    assert re.search(r"cell latency \(s\)\s+0\.2\s+0\.3\s+0\.3\s+3", text), text
    assert "training cell" not in text  # nothing measured: no row
    assert "failures: 1" in text and "dcload1: login: refused" in text
