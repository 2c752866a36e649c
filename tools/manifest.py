"""What a build delivered into a folder, so that nothing a learner changed there is overwritten or deleted.

A folder that the course writes notebooks into (``build/student/``, ``workspace/``) holds a manifest,
``.delivered.json``: the SHA-256 of each file as the course last wrote it. A file whose bytes still have
that hash is the course's own; any other file (changed since, or never written by the course) is the
learner's. Standard library only: ``make clean`` runs it before anything is installed.

``python -m tools.manifest clean build`` (``make clean``) deletes ``build/`` except the student
notebooks a learner changed, which it keeps and names.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

__all__ = ["MANIFEST", "clean", "digest", "learners", "load", "save"]

MANIFEST = ".delivered.json"


def digest(data: bytes | Path) -> str:
    """The SHA-256 of ``data`` (bytes, or a file's contents), in hex.

    >>> digest(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data.read_bytes() if isinstance(data, Path) else data).hexdigest()


def load(folder: Path) -> dict[str, str]:
    """The manifest of ``folder``: file name -> the hash of what the course last delivered under it."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return {}
    files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    return {str(name): str(h) for name, h in files.items()}


def save(folder: Path, files: dict[str, str]) -> None:
    """Write the manifest of ``folder`` (atomically: a half-written manifest would disown every file)."""
    path = Path(folder) / MANIFEST
    tmp = path.with_suffix(".tmp")
    text = json.dumps({"format": 1, "files": dict(sorted(files.items()))}, indent=1) + "\n"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def learners(folder: Path, pattern: str = "*.ipynb") -> list[Path]:
    """The files in ``folder`` matching ``pattern`` that are not as the course delivered them: changed since,
    or never written by it."""
    delivered = load(folder)
    return [p for p in sorted(Path(folder).glob(pattern)) if delivered.get(p.name) != digest(p)]


def clean(build: Path, protected: Sequence[str] = ("student", "zh/student")) -> list[Path]:
    """Delete ``build`` except the notebooks a learner changed in its ``protected`` subfolders; return those kept.

    ``protected`` holds paths relative to ``build``: the student editions, English and Chinese, which a lecturer
    may hand out and learners answer in place.
    """
    build = Path(build)
    kept: list[Path] = []
    if not build.exists():
        return kept
    for entry in sorted(build.iterdir()):
        inner = [p.split("/", 1)[1] for p in protected if p.startswith(f"{entry.name}/")]
        if inner and entry.is_dir() and not entry.is_symlink():
            kept += clean(entry, inner)  # a folder that holds a protected one: clean it the same way
        elif entry.name in protected and entry.is_dir():
            mine = set(learners(entry))
            for path in sorted(entry.rglob("*"), reverse=True):  # files before the folders that hold them
                if path in mine:
                    kept.append(path)
                elif path.is_dir() and not path.is_symlink():
                    if not any(path.iterdir()):
                        path.rmdir()
                elif path.name != MANIFEST or not mine:
                    path.unlink()
            if not any(entry.iterdir()):
                entry.rmdir()
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    if build.exists() and not any(build.iterdir()):
        build.rmdir()
    return kept


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.manifest", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["clean"])
    parser.add_argument("build", type=Path, nargs="?", default=Path("build"))
    args = parser.parse_args(argv)
    kept = clean(args.build)
    for path in kept:
        print(f"clean: kept {path}: it changed after the course wrote it (your work?); delete it yourself if not.")


if __name__ == "__main__":
    main()
