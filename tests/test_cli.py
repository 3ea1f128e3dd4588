"""The `guide` command driven in-process, as a user would call it."""

from __future__ import annotations

import pytest

from guidetools.cli import main
from guidetools.project import Project


def test_help_explains_itself_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "guide build --lang es" in out and "new-chapter" in out
    for command in ("build", "new-chapter"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "example:" in capsys.readouterr().out


def test_unknown_language_is_one_line_without_traceback(basic_project: Project, capsys) -> None:
    assert main(["--root", str(basic_project.root), "build", "--lang", "xx"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown language 'xx'" in err and "Traceback" not in err
    assert not basic_project.build_dir.exists()


def test_build_reports_the_file_and_line_of_a_warning(basic_project: Project, capsys) -> None:
    chapter = basic_project.source_dir / "chapter.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nSee {ref}`no-such-label`.\n", encoding="utf-8")
    assert main(["--root", str(basic_project.root), "--quiet", "build", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "guide/chapter.md:" in out and "no-such-label" in out
    assert "previous edition" in out


def test_outside_a_guide_repository_is_a_clear_error(tmp_path, capsys) -> None:
    assert main(["--root", str(tmp_path), "build"]) == 1
    assert "not inside a guide repository" in capsys.readouterr().err
