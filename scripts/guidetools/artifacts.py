"""Reproducible release artefacts: deterministic zips, SHA-256 sums, atomic directories.

A release must be byte-identical when rebuilt from the same commit and ``SOURCE_DATE_EPOCH``:
zip entries are written in sorted order with one fixed timestamp and fixed permissions, and
nothing from the machine (user, umask, file system order, clock) leaks into the bytes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

from guidetools.project import atomic_write

# The zip format cannot store dates before 1980.
_ZIP_EPOCH_MIN = 315532800


def zip_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    return time.gmtime(max(epoch, _ZIP_EPOCH_MIN))[:6]


def deterministic_zip(source: Path, destination: Path, epoch: int, prefix: str = "") -> Path:
    """Zip the files under ``source`` (sorted, fixed time and mode) into ``destination`` atomically."""
    stamp = zip_time(epoch)
    files = sorted(p for p in source.rglob("*") if p.is_file())
    with atomic_write(destination, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
        for path in files:
            name = prefix + path.relative_to(source).as_posix()
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3  # Unix, whatever the building machine
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return destination


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_sha256sums(folder: Path, files: list[Path]) -> Path:
    """``SHA256SUMS`` in the format ``sha256sum -c`` reads (two spaces, paths relative to ``folder``)."""
    lines = [f"{sha256_file(path)}  {path.relative_to(folder).as_posix()}\n" for path in sorted(files)]
    target = folder / "SHA256SUMS"
    with atomic_write(target) as handle:
        handle.writelines(lines)
    return target


@contextmanager
def atomic_directory(final: Path):
    """Yield a temporary sibling folder; on success it replaces ``final`` in one rename.

    On any exception the temporary folder is removed and ``final`` (a previous release) is kept.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent))
    try:
        yield staging
        os.chmod(staging, 0o755)
        if final.exists():
            retired = final.with_name(f".{final.name}.previous")
            if retired.exists():
                shutil.rmtree(retired)
            os.rename(final, retired)
            os.rename(staging, final)
            shutil.rmtree(retired)
        else:
            os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
