"""The live preview (`nox -s live -- --lang L`): a translator's save is rebuilt once and reaches the page."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from guidetools import live
from tests.conftest import copy_project

STARTED = "Waiting to detect changes"
DETECTED = "Detected changes"
BUILT = "build succeeded"
COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # sphinx-autobuild colours its messages whatever the terminal


class Preview:
    """``python -m guidetools.live`` in its own process, its output collected line by line."""

    def __init__(self, root: Path, lang: str) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "guidetools.live", "--lang", lang, "--port", "0"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so that stopping it stops the server and any build under way
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(COLOUR.sub("", line.rstrip("\n")))

    def wait_for(self, text: str, *, count: int = 1, timeout: float = 120.0) -> None:
        """Until ``count`` lines contain ``text``; fails with the output if the preview stops or hangs."""
        deadline = time.monotonic() + timeout
        while sum(text in line for line in self.lines) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.reader.join(timeout=5)
                pytest.fail(
                    f"fewer than {count} lines with {text!r} from the live preview; its output:\n"
                    + "\n".join(self.lines)
                )
            time.sleep(0.1)

    def detections(self) -> list[str]:
        return [line for line in self.lines if DETECTED in line]

    def wait_until_serving(self) -> None:
        """Until the server answers: sphinx-autobuild starts watching as the server starts."""
        self.wait_for(STARTED)
        url = next(line for line in self.lines if "Serving on" in line).split("Serving on ")[1].split()[0]
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.2)

    def save_until_detected(self, path: Path, text: str) -> None:
        """Save ``path`` as an editor would, again if the watcher, still starting, missed it."""
        for _ in range(10):
            path.write_text(text, encoding="utf-8")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if any(path.name in line for line in self.detections()):
                    return
                time.sleep(0.1)
        pytest.fail(f"the live preview never saw {path} change; its output:\n" + "\n".join(self.lines))

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def preview(tmp_path):
    project = copy_project("basic", tmp_path)
    running = Preview(project.root, "es")
    try:
        running.wait_until_serving()
        yield project, running
    finally:
        running.stop()


def test_a_saved_translation_is_rebuilt_once_and_shown(preview):
    project, running = preview
    catalogue = project.catalog_dir("es") / "chapter.po"
    text = catalogue.read_text(encoding="utf-8")
    assert 'msgstr "Primera sección"' in text
    built = sum(BUILT in line for line in running.lines)

    running.save_until_detected(catalogue, text.replace('msgstr "Primera sección"', 'msgstr "Sección primera"'))
    running.wait_for(BUILT, count=built + 1)
    # Something that must be rebuilt, saved after that rebuild: had the .mo the rebuild wrote
    # been watched, it would have been detected before this save, or with it.
    sentinel = project.source_dir / "glossary.md"
    running.save_until_detected(sentinel, sentinel.read_text(encoding="utf-8"))

    detections = running.detections()
    assert not [line for line in detections if ".mo" in line], detections
    assert "chapter.po" in detections[0] and "glossary.md" in detections[-1], detections
    running.wait_for(BUILT, count=built + 2)
    page = (live.live_dir(project, "es") / "chapter.html").read_text(encoding="utf-8")
    assert "Sección primera" in page
    assert "Primera sección" not in page
