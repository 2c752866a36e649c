"""The learner's own copy of the course, ``workspace/``: the student edition, which nothing ever overwrites.

``make lab`` (and Binder's ``postBuild``) runs ``python -m tools.workspace`` before it starts JupyterLab:

- on the first run it creates ``workspace/`` with the student edition of every notebook in ``notebooks/``
  (solutions replaced by stubs, outputs cleared: :func:`tools.editions.student_notebook`);
- on later runs it adds the notebooks that are missing (new in the course, or deleted by the learner);
- a notebook that exists there is never overwritten and never deleted. When the course's version of it
  changed since it was delivered, the new version is written beside it, ``01_by_hand.new.ipynb``, and
  one line says so.

What was delivered is recorded in ``workspace/.delivered.json`` (:mod:`tools.manifest`): an upstream that
did not change adds nothing, however often it runs, and the learner's own changes are never read as the
course's. The solved notebooks stay in ``notebooks/``, one folder up in JupyterLab's file browser.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import nbformat

from tools import manifest
from tools.editions import notebook_paths, student_notebook

__all__ = ["sync"]


def _beside(path: Path) -> Path:
    """A free name for the new version of ``path``: ``NAME.new.ipynb``, else ``NAME.new-2.ipynb``, ..."""
    candidate = path.with_name(f"{path.stem}.new{path.suffix}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.new-{n}{path.suffix}")
        n += 1
    return candidate


def sync(notebooks: Path, workspace: Path) -> list[str]:
    """Bring ``workspace`` up to date with the student edition of ``notebooks``, never touching a file there.

    Returns one line for each thing it did (nothing when the workspace is up to date).
    """
    notebooks, workspace = Path(notebooks), Path(workspace)
    if workspace.resolve() == notebooks.resolve():
        raise ValueError(f"the workspace must not be the notebooks' own folder, {notebooks}")
    created = not workspace.exists()
    workspace.mkdir(parents=True, exist_ok=True)
    delivered = manifest.load(workspace)
    said: list[str] = []
    added: list[str] = []
    for source in notebook_paths(notebooks):
        data = nbformat.writes(student_notebook(nbformat.read(source, as_version=4))).encode("utf-8") + b"\n"
        new = manifest.digest(data)
        target = workspace / source.name
        if not target.exists():
            target.write_bytes(data)
            added.append(source.name)
        elif delivered.get(source.name) != new and manifest.digest(target) != new:
            beside = _beside(target)
            beside.write_bytes(data)
            said.append(
                f"{target}: the course's version changed; the new one is beside yours as {beside.name} "
                "(yours is untouched)."
            )
        delivered[source.name] = new
        manifest.save(workspace, delivered)  # after each file: an interrupted run still knows what it wrote
    if created:
        said.insert(0, f"{workspace}: your copy of the course ({len(added)} notebooks, the solutions left out).")
    elif added:
        said.insert(0, f"{workspace}: added {', '.join(added)}.")
    return said


def main(argv: Sequence[str] | None = None) -> list[str]:
    """``python -m tools.workspace [--notebooks DIR] [--workspace DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m tools.workspace", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", type=Path, default=Path("notebooks"), help="the instructor edition")
    parser.add_argument("--workspace", type=Path, default=Path("workspace"), help="the learner's copy")
    args = parser.parse_args(argv)
    said = sync(args.notebooks, args.workspace)
    for line in said:
        print(line)
    return said


if __name__ == "__main__":
    main()
