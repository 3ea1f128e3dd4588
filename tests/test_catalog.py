"""Catalogue files: strict reading with clear errors, and writing exactly as msgcat does."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings

from guidetools import GuideError
from guidetools.catalog import (
    Catalog,
    Message,
    comparable_text,
    count_words,
    format_catalog,
    parse_catalog,
    read_catalog,
    same_comparable_text,
    write_catalog,
)
from tests.conftest import REPO
from tests.gettext_tools import msgcat, requires_msgcat
from tests.po_strategies import catalogs, header, prose

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
REAL_CATALOGS = sorted((REPO / "locales").glob("*/LC_MESSAGES/*.po"))


def _fields(message: Message) -> tuple:
    return (
        message.msgctxt,
        message.msgid,
        message.msgstr,
        message.fuzzy,
        message.previous_msgid,
        message.obsolete,
        tuple(message.comments),
        tuple(message.references),
    )


@requires_msgcat
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_msgcat_leaves_a_written_catalogue_unchanged(catalog: Catalog) -> None:
    text = format_catalog(catalog)
    assert msgcat(text) == text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_reading_back_a_written_catalogue_gives_the_same_messages(catalog: Catalog) -> None:
    text = format_catalog(catalog)
    again = parse_catalog(text.encode("utf-8"), "x.po")
    kept = [m for m in catalog.messages if not m.obsolete or m.msgstr]
    assert [_fields(m) for m in again.messages] == [_fields(m) for m in sorted(kept, key=lambda m: m.obsolete)]
    assert format_catalog(again) == text


@requires_msgcat
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prose(max_words=60), prose(max_words=60))
def test_unwrapped_input_is_wrapped_as_msgcat_wraps_it(msgid: str, msgstr: str) -> None:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'

    raw = f"{HEADER}#, fuzzy\n#| msgid {quoted(msgstr)}\nmsgid {quoted(msgid)}\nmsgstr {quoted(msgstr)}\n"
    assert format_catalog(parse_catalog(raw, "x.po")) == msgcat(raw)


@requires_msgcat
@pytest.mark.skipif(not REAL_CATALOGS, reason="the guide has no catalogues yet")
def test_the_real_catalogues_are_read_completely_and_written_as_msgcat_would() -> None:
    for path in REAL_CATALOGS:
        text = path.read_text(encoding="utf-8")  # read once: translators may be saving these files
        catalog = parse_catalog(text, path)
        reference = polib.pofile(text)
        assert [(e.msgid, e.msgstr) for e in reference if not e.obsolete] == [
            (m.msgid, m.msgstr) for m in catalog.entries
        ], path
        assert format_catalog(catalog) == msgcat(text), path


def test_gettext_comment_forms_survive() -> None:
    text = (
        "# Header comment\n#  indented\n#\n"
        + HEADER.replace('msgid ""', '#, fuzzy\nmsgid ""', 1)
        + '#. extracted\n#: a.md:3 b.md\n#, python-format, fuzzy\n#| msgid "old"\nmsgid "x"\nmsgstr "y"\n\n'
        + '# kept with its translation\n#, fuzzy\n#~| msgid "older"\n#~ msgid "gone"\n#~ msgstr "parti"\n'
    )
    catalog = parse_catalog(text, "x.po")
    assert catalog.header.comments == ["Header comment", " indented", ""]
    entry = catalog.entries[0]
    assert (entry.extracted, entry.references, entry.previous_msgid, entry.fuzzy) == (
        ["extracted"],
        ["a.md:3", "b.md"],
        "old",
        True,
    )
    gone = catalog.obsolete[0]
    assert (gone.msgid, gone.msgstr, gone.previous_msgid, gone.comments) == (
        "gone",
        "parti",
        "older",
        ["kept with its translation"],
    )
    assert format_catalog(catalog).replace("#, python-format, fuzzy", "#, fuzzy, python-format") == format_catalog(
        catalog
    )
    assert '#~| msgid "older"' in format_catalog(catalog)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (HEADER + 'msgid "a"\nmsgstr "b"\n\nmsgid "c\nmsgstr ""\n', 8, "string not closed"),
        (HEADER + 'msgid "a"\nmsgstr "b" x\n', 6, "unexpected text after the closing quote"),
        (HEADER + 'msgid "a"\nmsgtsr "b"\n', 6, "unexpected 'msgtsr'"),
        (HEADER + 'msgid "a\\q"\nmsgstr "b"\n', 5, "invalid escape sequence \\q"),
        (HEADER + 'msgid "a"\n\nmsgid "b"\nmsgstr ""\n', 5, "has no msgstr"),
        (HEADER + 'msgid "a"\nmsgstr[0] "b"\n', 6, "without a msgid_plural"),
        (
            HEADER + 'msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n',
            8,
            "duplicate msgid 'a', first defined at line 5",
        ),
        (HEADER + 'msgid "a"\nmsgstr "b"\n\n#~ msgid "a"\n#~ msgstr "c"\n', 8, "duplicate msgid 'a'"),
        (HEADER.replace("UTF-8", "ISO-8859-1") + 'msgid "a"\nmsgstr "b"\n', 1, "charset=ISO-8859-1"),
    ],
)
def test_bad_catalogues_are_one_clear_error_with_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(GuideError) as error:
        parse_catalog(text.encode("utf-8"), "locales/es/LC_MESSAGES/chapter.po")
    message = str(error.value)
    assert message.startswith(f"locales/es/LC_MESSAGES/chapter.po:{line}: "), message
    assert words in message and "\n" not in message


def test_bytes_that_are_not_utf8_are_located() -> None:
    data = (HEADER + 'msgid "a"\nmsgstr "caf\xe9"\n').encode("latin-1")
    with pytest.raises(GuideError, match=r"^x\.po:6: not valid UTF-8 \(byte 0xe9\)"):
        parse_catalog(data, "x.po")


def test_the_same_msgid_in_two_contexts_is_not_a_duplicate() -> None:
    text = HEADER + 'msgctxt "menu"\nmsgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n'
    assert [m.msgctxt for m in parse_catalog(text, "x.po").entries] == ["menu", None]


def test_writing_is_skipped_when_the_text_is_the_same(tmp_path: Path) -> None:
    path = tmp_path / "chapter.po"
    catalog = Catalog(messages=[header(), Message(msgid="Harm reduction", msgstr="Réduction des risques")])
    assert write_catalog(path, catalog) is True
    before = path.stat().st_mtime_ns
    assert write_catalog(path, read_catalog(path)) is False
    assert path.stat().st_mtime_ns == before
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs(), catalogs())
def test_catalogues_compare_as_their_printed_text_does(first: Catalog, second: Catalog) -> None:
    # guide update decides "unchanged" with same_comparable_text, which avoids formatting: it must
    # agree with comparing the text msgcat would print, whatever the catalogues hold.
    assert same_comparable_text(first, second) == (comparable_text(first) == comparable_text(second))
    reread = parse_catalog(format_catalog(first).encode("utf-8"), "x.po")  # other line numbers
    assert same_comparable_text(first, reread) and same_comparable_text(reread, first)


def test_catalogues_differing_only_in_volatile_fields_or_flag_order_are_the_same() -> None:
    def catalog(created: str, flags: list[str], msgstr: str = "Réduction des risques") -> Catalog:
        head = header()
        head.msgstr = (
            f"Project-Id-Version: Guide\nPOT-Creation-Date: {created}\nContent-Type: text/plain; charset=UTF-8\n"
        )
        return Catalog(messages=[head, Message(msgid="Harm reduction", msgstr=msgstr, flags=flags)])

    extracted_today = catalog("2026-11-28 10:00+0000", ["fuzzy", "python-format"])
    assert same_comparable_text(extracted_today, catalog("2025-01-01 00:00+0000", ["fuzzy", "python-format"]))
    assert same_comparable_text(extracted_today, catalog("2026-11-28 10:00+0000", ["python-format", "fuzzy"]))
    assert not same_comparable_text(extracted_today, catalog("2026-11-28 10:00+0000", ["python-format"]))
    changed = catalog("2026-11-28 10:00+0000", ["fuzzy", "python-format"], msgstr="Réduction des méfaits")
    assert not same_comparable_text(extracted_today, changed)


def test_words_are_counted_without_markup() -> None:
    assert count_words("Harm reduction saves lives.") == 4
    assert count_words("See {ref}`the chapter on medicines <controlled-medicines>`.") == 5
    assert count_words("[UNODC](https://www.unodc.org/) and {term}`naloxone`") == 3
    assert count_words("l’état drug-free 3,5 %") == 4  # noqa: RUF001
    assert count_words("الحد من الضرر") == 3
