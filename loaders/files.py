"""The input files a loader is given: files as named, folders expanded to their files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from loaders.errors import SourceFileError


def input_files(paths: Sequence[Path], suffixes: Sequence[str], what: str) -> list[Path]:
    """PATHS with each folder expanded to its files ending in one of SUFFIXES, in name order.

    WHAT names the kind of file for the error when none is found ("*.jsonl record files").
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and p.suffix in suffixes)
        elif path.is_file():
            files.append(path)
        else:
            raise SourceFileError(f"{path}: no such file or folder")
    if not files:
        raise SourceFileError(f"no {what} in {', '.join(map(str, paths))}")
    return files
