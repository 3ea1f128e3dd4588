"""GNU gettext's own tools, used by the tests as the reference for .po layout."""

from __future__ import annotations

import shutil
import subprocess

import pytest

MSGCAT = shutil.which("msgcat")
requires_msgcat = pytest.mark.skipif(MSGCAT is None, reason="GNU gettext (msgcat) not installed; .ci/run installs it")


def msgcat(text: str) -> str:
    """What `msgcat` prints for a PO file with this text (it fails the test if msgcat rejects it)."""
    result = subprocess.run([MSGCAT, "-"], input=text.encode("utf-8"), capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return result.stdout.decode("utf-8")
