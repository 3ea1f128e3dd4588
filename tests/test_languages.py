"""The language registry is the one list of languages, and bad registries fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidetools import GuideError
from guidetools.languages import load_registry

from .conftest import REPO


def test_real_registry_lists_the_five_starting_languages() -> None:
    registry = load_registry(REPO / "locales" / "languages.toml")
    assert registry.source == "en"
    assert registry.codes == ["en", "es", "fr", "ru", "ar"]
    assert registry.get("ar").direction == "rtl"
    assert registry.get("ru").script == "Cyrl"
    assert [lang.code for lang in registry.translations] == ["es", "fr", "ru", "ar"]


def test_select_keeps_registry_order_and_rejects_unknown_codes() -> None:
    registry = load_registry(REPO / "locales" / "languages.toml")
    assert [lang.code for lang in registry.select(["ar", "es"])] == ["es", "ar"]
    assert len(registry.select(None)) == 5
    with pytest.raises(GuideError, match=r"unknown language 'xx'.*known: en, es, fr, ru, ar"):
        registry.select(["xx"])


ENTRY = 'code = "{code}"\nname = "N"\nnative_name = "N"\ndirection = "{direction}"\nscript = "Latn"\nrelease_threshold = 0\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('source = "en"\n[[language]]\n' + ENTRY.format(code="en", direction="sideways"), "direction must be"),
        (
            'source = "en"\n'
            + "[[language]]\n"
            + ENTRY.format(code="en", direction="ltr")
            + "[[language]]\n"
            + ENTRY.format(code="en", direction="ltr"),
            "listed twice",
        ),
        ('source = "de"\n[[language]]\n' + ENTRY.format(code="en", direction="ltr"), "source language 'de'"),
        ('source = "en"\n[[language]]\ncode = "en"\n', "lacks name"),
        ("source = ", "not valid TOML"),
    ],
)
def test_broken_registry_names_the_file_and_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "languages.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(GuideError, match=message) as info:
        load_registry(path)
    assert str(path) in str(info.value)
