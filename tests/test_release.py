"""`guide release` on a tagged copy of a tiny guide: thresholds, refusals, checksums, reproducibility, atomicity."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from guidetools import release as release_module
from guidetools.cli import main
from guidetools.project import Project
from guidetools.update import update_catalogs

from .conftest import copy_project


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def tagged_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The basic fixture with up-to-date catalogues, es released at 5 %, committed and tagged v1.0."""
    project = copy_project("basic", tmp_path)
    registry = project.registry_path
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("release_threshold = 90", "release_threshold = 5"),
        encoding="utf-8",
    )
    update_catalogs(project)
    (project.root / ".gitignore").write_text("_build/\ndist/\nparts/\n*.mo\n", encoding="utf-8")
    git(project.root, "init", "-q", "-b", "main")
    git(project.root, "add", "-A")
    git(project.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "guide")
    git(project.root, "tag", "v1.0")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return project


def run_release(project: Project, *extra: str) -> int:
    return main(["--root", str(project.root), "--quiet", "release", "--out", str(project.root / "dist"), *extra])


def test_release_decides_status_and_produces_verifiable_files(tagged_project: Project, capsys) -> None:
    assert run_release(tagged_project) == 0, capsys.readouterr().err
    folder = tagged_project.root / "dist" / "v1.0"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "v1.0"
    assert manifest["commit"] == git(tagged_project.root, "rev-parse", "HEAD").strip()
    statuses = {code: data["status"] for code, data in manifest["languages"].items()}
    assert statuses == {"en": "released", "es": "released", "ar": "preview"}
    assert 5 <= manifest["languages"]["es"]["completion"] < 100
    assert (folder / "drug-policy-guide-v1.0-es.pdf").is_file()
    assert (folder / "drug-policy-guide-v1.0-es-html.zip").is_file()
    assert (folder / "drug-policy-guide-v1.0-es-chapters.zip").is_file()
    assert (folder / "previews" / "drug-policy-guide-v1.0-ar.pdf").is_file()
    assert not (folder / "drug-policy-guide-v1.0-ar.pdf").exists()
    for entry in manifest["languages"]["es"]["files"]:
        assert (folder / entry["name"]).stat().st_size == entry["size"]
    # The checksums verify with the standard tool, and cover the previews too.
    verified = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "previews/drug-policy-guide-v1.0-ar.pdf: OK" in verified.stdout
    notes = (folder / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "# Drug Policy Guide v1.0" in notes
    assert re.search(r"\| Arabic \(`ar`\) \| preview \(needs 80 %\) \|", notes)


def test_two_runs_give_identical_bytes(tagged_project: Project, tmp_path: Path) -> None:
    assert run_release(tagged_project, "--lang", "en", "--lang", "es") == 0
    first = (tagged_project.root / "dist" / "v1.0" / "SHA256SUMS").read_text()
    # A second run from scratch (no build cache) on the same commit.
    subprocess.run(["rm", "-rf", str(tagged_project.build_dir), str(tagged_project.root / "dist")], check=True)
    assert run_release(tagged_project, "--lang", "en", "--lang", "es") == 0
    assert (tagged_project.root / "dist" / "v1.0" / "SHA256SUMS").read_text() == first


def test_a_check_error_in_a_released_language_blocks_the_release(tagged_project: Project, capsys) -> None:
    catalogue = tagged_project.catalog_dir("es") / "chapter.po"
    text = catalogue.read_text(encoding="utf-8")
    planted = text.replace(
        'msgstr "La reducción de daños salva vidas."', 'msgstr "<script>alert(1)</script> salva vidas."'
    )
    assert planted != text
    catalogue.write_text(planted, encoding="utf-8")
    git(tagged_project.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qam", "hostile")
    assert run_release(tagged_project) == 1
    err = capsys.readouterr().err
    assert "release refused" in err and "locales/es/LC_MESSAGES/chapter.po:" in err
    assert not (tagged_project.root / "dist").exists()


def test_an_interrupted_release_keeps_the_previous_one(tagged_project: Project, monkeypatch) -> None:
    assert run_release(tagged_project, "--lang", "en") == 0
    folder = tagged_project.root / "dist" / "v1.0"
    before = (folder / "SHA256SUMS").read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(release_module, "write_sha256sums", fail)
    with pytest.raises(OSError, match="simulated"):
        release_module.release(tagged_project, tagged_project.root / "dist", langs=["en", "es"])
    assert (folder / "SHA256SUMS").read_bytes() == before
    assert sorted(p.name for p in (tagged_project.root / "dist").iterdir()) == ["v1.0"]


def test_uncommitted_changes_are_refused(tagged_project: Project, capsys) -> None:
    (tagged_project.source_dir / "chapter.md").write_text("# Changed\n", encoding="utf-8")
    assert run_release(tagged_project) == 1
    assert "uncommitted changes" in capsys.readouterr().err


def test_parts_built_separately_assemble_into_the_same_release(tagged_project: Project) -> None:
    parts = tagged_project.root / "parts"
    for lang in ("en", "es"):
        assert run_release(tagged_project, "--lang", lang, "--part-only", "--out", str(parts)) == 0
    assert (
        main(
            [
                "--root",
                str(tagged_project.root),
                "release",
                "--assemble",
                str(parts),
                "--out",
                str(tagged_project.root / "dist"),
            ]
        )
        == 0
    )
    manifest = json.loads((tagged_project.root / "dist" / "v1.0" / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["languages"]) == ["en", "es"]
