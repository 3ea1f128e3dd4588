"""Translation checks (``guide check``) and the build's defences against hostile translations.

The hostile corpus below gives every check failing cases and passing ones, including the tricky
true negatives that other tools get wrong: translated display text of a {ref}, a localized
Wikipedia link on the allowlist, two links reordered by a sentence, right-to-left Arabic with
Latin URLs, inflected Russian and Arabic glossary terms.
"""

# ruff: noqa: RUF001 — Arabic, Cyrillic and typographic quotes in test data are intended.

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polib
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidetools import GuideError
from guidetools.build import run_sphinx
from guidetools.check import (
    CHECKS,
    PARALLEL_FROM,
    CheckReport,
    check_catalogues,
    check_message,
    format_report,
    load_language_rules,
)
from guidetools.cli import main
from guidetools.mystscan import MystScanner
from guidetools.pofast import header_fields, read_entries
from guidetools.project import Project
from tests.conftest import REPO, copy_project

SCANNER = MystScanner.for_conf(REPO / "guide" / "conf.py")  # the real guide's MyST configuration


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """The hostile fixture project, with the real glossaries and link allowlists of every language."""
    project = copy_project("hostile", tmp_path)
    for lang in ("es", "fr", "ru", "ar"):
        (project.locales_dir / lang).mkdir(exist_ok=True)
        for name in ("glossary.toml", "check.toml"):
            shutil.copy(REPO / "locales" / lang / name, project.locales_dir / lang / name)
    return project


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> dict:
    project = Project(REPO)
    return {lang: load_language_rules(project, lang, SCANNER.parser.normalizeLink) for lang in ("es", "fr", "ru", "ar")}


def check(msgid: str, msgstr: str, lang: str = "es", rules: dict | None = None, **kwargs) -> CheckReport:
    return check_message(SCANNER, msgid, msgstr, lang=lang, rules=(rules or {}).get(lang), **kwargs)


def ids(report: CheckReport) -> list[str]:
    return [finding.check for finding in report.findings]


def write_po(path: Path, entries: list[polib.POEntry], lang: str = "es", **metadata: str) -> Path:
    po = polib.POFile()
    po.metadata = {
        "Project-Id-Version": "Test",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
        **metadata,
    }
    po.extend(entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
    return path


# Structure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("msgstr", "kind"),
    [
        ("# Un título", "heading"),
        ("Un título\n=========", "heading"),
        ("1. Primero, la salud.", "numbered list"),
        ("- Un punto", "bullet list"),
        ("> Una cita", "block quote"),
        ("    Texto sangrado", "indented code block"),
        ("Un párrafo.\n\nOtro párrafo.", "2 blocks"),
        (":::{note}\nNota\n:::", "directive {note}"),
        ("(etiqueta)=", "label"),
        ("---", "horizontal rule"),
    ],
)
def test_structure_change_is_an_error(msgstr: str, kind: str) -> None:
    report = check("Health comes first.", msgstr)
    structure = [finding for finding in report.errors if finding.check == "structure"]
    assert structure, report.findings
    assert kind in structure[0].message
    assert "keep the English text" in structure[0].message
    assert structure[0].hint


@pytest.mark.parametrize(
    "msgstr",
    [
        "La salud es lo primero.",
        "\\# No es un título.",
        "1\\. No es una lista.",
        "La *salud* es lo **primero**.",
        "La salud,\nen dos líneas, es lo primero.",
    ],
)
def test_same_block_kind_passes(msgstr: str) -> None:
    assert "structure" not in ids(check("Health comes first.", msgstr))


def test_a_list_item_msgid_stays_a_list_item() -> None:
    # Sphinx extracts the text of a list item; a translation that is a list item of its own is fine
    # only when the source message was one too.
    assert "structure" not in ids(check("1. First item", "1. Primer elemento"))
    assert "structure" in ids(check("1. First item", "Primer elemento"))


# Links -------------------------------------------------------------------------------------------

WHO = "https://www.who.int/news-room/fact-sheets/detail/opioid-overdose"


def test_changed_link_target_is_an_error() -> None:
    report = check(f"Read [the fact sheet]({WHO}).", "Lea [la hoja informativa](https://evil.example/x).")
    [finding] = report.findings
    assert (finding.check, finding.severity) == ("url", "error")
    assert WHO in finding.message and "https://evil.example/x" in finding.message
    assert finding.fragment == "https://evil.example/x"


def test_dropped_and_added_links_are_errors() -> None:
    assert ids(check(f"Read [the fact sheet]({WHO}).", "Lea la hoja informativa.")) == ["url"]
    assert ids(check("Read the fact sheet.", f"Lea [la hoja]({WHO}).")) == ["url"]


def test_reordered_links_pass() -> None:
    msgid = "Both [UNODC](https://www.unodc.org/) and [WHO](https://www.who.int/) publish guidance."
    msgstr = "La [OMS](https://www.who.int/) y la [UNODC](https://www.unodc.org/) publican orientaciones."
    assert check(msgid, msgstr).findings == []


def test_translated_link_text_passes() -> None:
    assert check(f"Read [the fact sheet]({WHO}).", f"Lea [la hoja informativa]({WHO}).").findings == []


def test_localized_wikipedia_article_is_allowed_by_the_language_allowlist(rules) -> None:
    msgid = "See [the article](https://en.wikipedia.org/wiki/Harm_reduction)."
    msgstr = "Véase [el artículo](https://es.wikipedia.org/wiki/Reducción_de_daños)."
    assert ids(check(msgid, msgstr, rules=rules)) == []
    # without the allowlist (or for another language's Wikipedia) the change is an error
    assert ids(check(msgid, msgstr)) == ["url"]
    french = "Voir [l'article](https://fr.wikipedia.org/wiki/Réduction_des_risques)."
    assert ids(check(msgid, french, lang="es", rules=rules)) == ["url"]


def test_localized_section_of_a_site_must_keep_the_rest_of_the_address(rules) -> None:
    msgid = f"Read [the fact sheet]({WHO})."
    assert ids(check(msgid, f"Lea [la hoja]({WHO.replace('.int/', '.int/es/')}).", rules=rules)) == []
    other_page = "https://www.who.int/es/news-room/fact-sheets/detail/something-else"
    assert ids(check(msgid, f"Lea [la hoja]({other_page}).", rules=rules)) == ["url"]


def test_the_same_address_over_https_passes() -> None:
    msgid = "See [the archive](http://example.org/archive)."
    assert check(msgid, "Véase [el archivo](https://example.org/archive).").findings == []
    assert ids(check(msgid, "Véase [el archivo](https://example.org/other).")) == ["url"]


def test_changed_image_is_an_error() -> None:
    msgid = "The map ![map](figures/map.svg) shows it."
    assert ids(check(msgid, "El mapa ![mapa](figures/map.svg) lo muestra.")) == []
    assert ids(check(msgid, "El mapa ![mapa](https://tracker.example/pixel.png) lo muestra.")) == ["url"]


def test_internal_link_targets_are_compared() -> None:
    msgid = "See [the chapter](principles.md#legality) and [below](#scope)."
    assert ids(check(msgid, "Véase [el capítulo](principles.md#legality) y [abajo](#scope).")) == []
    assert ids(check(msgid, "Véase [el capítulo](principles.md#legalidad) y [abajo](#scope).")) == ["url"]


# Raw HTML and scripts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "msgstr",
    [
        "Texto.<script>alert(1)</script>",
        "<SCRIPT src=https://evil.example/x.js></SCRIPT> Texto.",
        '<img src="x" onerror="alert(1)"> Texto.',
        "<a href=# onclick=alert(1)>Texto</a>.",
        "<iframe src=https://evil.example></iframe> Texto.",
        "<style>body{display:none}</style> Texto.",
        "<svg onload=alert(1)> Texto.",
        "Haga [clic](javascript:alert(1)).",
        "Haga clic: javascript&#58;alert(1).",
        "Vea [esto](vbscript:msgbox(1)).",
        "Abra data:text/html;base64,PHNjcmlwdD4= ahora.",
        "Mire ![x](data:image/png;base64,iVBORw0KGgo=).",
    ],
)
def test_script_capable_markup_is_an_error_that_cannot_be_silenced(msgstr: str) -> None:
    report = check("Text.", msgstr, comment="check: ignore=html,url — I insist")
    html = [finding for finding in report.findings if finding.check == "html"]
    assert html, report.findings
    assert all(finding.severity == "error" for finding in html)
    assert any(not finding.silenceable for finding in html)
    assert "html" not in report.silenced  # one unsilenceable finding keeps the whole check on


def test_a_tag_the_source_lacks_is_an_error_but_a_shared_one_or_code_passes() -> None:
    assert ids(check("Text.", "<b>Texto</b>.")) == ["html", "html"]
    assert ids(check("Press `<Enter>` now.", "Pulse `<Enter>` ahora.")) == []
    assert ids(check("Use the <kbd> tag.", "Use la etiqueta <kbd>.")) == []
    # the word "data:" in prose is not a data: URL
    assert ids(check("Raw data: 12 countries.", "Datos brutos, data: 12 países.")) == []


def test_interface_strings_keep_placeholders_and_carry_no_html() -> None:
    msgid = "This page is {percent} % translated."
    assert check(msgid, "Esta página está traducida al {percent} %.", interface=True).findings == []
    assert ids(check(msgid, "Esta página está traducida.", interface=True)) == ["placeholder"]
    assert ids(check(msgid, "Esta página está traducida al {percent %.", interface=True)) == ["placeholder"]
    assert ids(check(msgid, "<b>Traducida</b> al {percent} %.", interface=True)).count("html") == 2


# Roles, footnotes, substitutions, code, math -------------------------------------------------------


def test_translated_display_text_of_a_ref_passes() -> None:
    msgid = "See {ref}`the chapter on criminal justice <criminal-justice>` for details."
    msgstr = "Véase {ref}`el capítulo sobre justicia penal <criminal-justice>` para más detalles."
    assert check(msgid, msgstr).findings == []


def test_term_role_may_gain_display_text_but_keeps_its_target() -> None:
    msgid = "{term}`Harm reduction` works."
    assert check(msgid, "La {term}`reducción de daños <Harm reduction>` funciona.").findings == []
    # Sphinx lowercases term targets: a different case is the same target
    assert check(msgid, "La {term}`reducción de daños <harm reduction>` funciona.").findings == []
    report = check(msgid, "La {term}`reducción de daños` funciona.")
    assert ids(report) == ["role"]
    assert "{term}`Harm reduction`" in report.findings[0].message


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("See {ref}`the chapter <legality>`.", "Véase {ref}`el capítulo <legalidad>`."),
        ("See {doc}`principles`.", "Véase {doc}`principios`."),
        ("See {numref}`fig-map`.", "Véase la figura."),
        ("See {ref}`legality`.", "Véase {ref}`legality` y {ref}`scope`."),
        ("See {doc}`Principles <principles>`.", "Véase {ref}`Principios <principles>`."),
    ],
)
def test_changed_dropped_or_added_roles_are_errors(msgid: str, msgstr: str) -> None:
    assert ids(check(msgid, msgstr)) == ["role"]


def test_free_text_roles_may_be_translated() -> None:
    msgid = "The {abbr}`WHO (World Health Organization)` agrees."
    assert check(msgid, "La {abbr}`OMS (Organización Mundial de la Salud)` está de acuerdo.").findings == []


def test_footnotes_substitutions_code_and_math_must_be_kept() -> None:
    assert ids(check("It works[^oat].", "Funciona.")) == ["footnote"]
    assert ids(check("It works[^oat].", "Funciona[^tao].")) == ["footnote"]
    assert check("It works[^oat] well.", "Funciona bien[^oat].").findings == []
    assert ids(check("Edition {{ version }}.", "Edición.")) == ["substitution"]
    assert check("Edition {{ version }}.", "Edición {{version}}.").findings == []
    assert ids(check("(harm-reduction)=", "(reduccion-de-danos)=")) == ["label"]
    assert ids(check("Run `guide check` now.", "Ejecute `guía comprobar` ahora.")) == ["code"]
    assert ids(check("Where {math}`x^2` grows.", "Donde {math}`y^2` crece.")) == ["math"]
    assert check("Where {math}`x^2` grows.", "Donde {math}`x^2` crece.").findings == []


# Warnings: numbers, whitespace, punctuation, doubled words ---------------------------------------------


def test_numbers_are_compared_whatever_the_separators_or_digits() -> None:
    assert ids(check("In 1961, 53 states agreed.", "En 1961, los estados acordaron.")) == ["numbers"]
    assert check("About 1,000 people.", "Unas 1 000 personas.").findings == []
    assert check("About 1,000 people.", "Unas 1.000 personas.").findings == []
    assert check("In 1961.", "في عام ١٩٦١.", lang="ar").findings == []


def test_whitespace_punctuation_and_doubled_words_are_warnings() -> None:
    assert ids(check("Text.", " Texto.")) == ["whitespace"]
    assert ids(check("Is it legal?", "Es legal.")) == ["punctuation"]
    assert ids(check("Is it legal?", "هل هو قانوني؟", lang="ar")) == []
    assert ids(check('He said "stop."', "Il a dit « arrêtez. »", lang="fr")) == []
    assert ids(check("The state of the law.", "El estado de de la ley.")) == ["doubled-word"]
    assert ids(check("We ask ourselves.", "Nous nous demandons.", lang="fr")) == []
    assert all(finding.severity == "warning" for finding in check("Is it?", " Es es.").findings)


# Glossary ----------------------------------------------------------------------------------------------


def test_glossary_warns_when_the_required_translation_is_missing(rules) -> None:
    report = check("Harm reduction saves lives.", "La mitigación de daños salva vidas.", rules=rules)
    [finding] = report.findings
    assert (finding.check, finding.severity) == ("glossary", "warning")
    assert "reducción de daños" in finding.message
    assert "locales/es/glossary.toml" in finding.hint


@pytest.mark.parametrize(
    ("lang", "msgid", "msgstr"),
    [
        ("es", "Harm reduction saves lives.", "La reducción de daños salva vidas."),
        ("es", "Needle and syringe programmes work.", "Los programas de agujas y jeringas funcionan."),
        ("fr", "Harm reduction saves lives.", "La réduction des risques sauve des vies."),
        ("fr", "For people who inject drugs.", "Pour les personnes qui s’injectent des drogues."),
        ("ru", "Harm reduction saves lives.", "Снижение вреда спасает жизни."),
        ("ru", "Funding for harm reduction.", "Финансирование снижения вреда."),
        ("ru", "Services for people who use drugs.", "Услуги для людей, употребляющих наркотики."),
        ("ru", "The WHO agrees.", "ВОЗ согласна."),
        ("ru", "The Commission on Narcotic Drugs met.", "Комиссия по наркотическим средствам собралась."),
        ("ar", "Harm reduction saves lives.", "الحد من الضرر ينقذ الأرواح."),
        ("ar", "Funding for harm reduction.", "تمويل للحد من الضرر."),
        ("ar", "Funding for harm reduction.", "التمويل للحدّ مِن الضَّرر."),  # diacritics
        ("ar", "Overdose deaths.", "الوفيات الناجمة عن الجرعات الزائدة."),
        ("ar", "Services for people who use drugs.", "خدمات للأشخاص الذين يتعاطون المخدرات."),
        ("ar", "The WHO agrees.", "منظمة الصحة العالمية توافق."),
        ("es", "{term}`Harm reduction` saves lives.", "La {term}`reducción de daños <Harm reduction>` salva vidas."),
    ],
)
def test_glossary_accepts_inflected_and_normalised_forms(rules, lang: str, msgid: str, msgstr: str) -> None:
    assert [f for f in check(msgid, msgstr, lang=lang, rules=rules).findings if f.check == "glossary"] == []


def test_glossary_source_terms_match_words_and_acronyms_only_in_capitals(rules) -> None:
    # "who" in "people who use drugs" is not the WHO; "harm reductions" still matches.
    report = check("Support people who use drugs.", "Apoyar a las personas que usan drogas.", rules=rules)
    assert report.findings == []
    assert ids(check("Two harm reductions.", "Dos cosas.", rules=rules)) == ["glossary"]


def test_do_not_translate_terms_must_stay(rules) -> None:
    assert ids(check("Published in the BMJ.", "Publicado en el Diario Médico.", rules=rules)) == ["do-not-translate"]
    assert ids(check("Published in the BMJ.", "Publicado en el BMJ.", rules=rules)) == []


def test_real_glossaries_have_the_key_terms_of_the_guide(rules) -> None:
    for lang, language_rules in rules.items():
        sources = {term.source for term in language_rules.terms}
        assert 15 <= len(sources) <= 25, lang
        for key in ("harm reduction", "civil society", "Commission on Narcotic Drugs", "UNODC", "naloxone"):
            assert key in sources, (lang, key)
    preferred = {lang: rules[lang].terms[0].translations[0] for lang in rules}
    assert preferred == {
        "es": "reducción de daños",
        "fr": "réduction des risques",
        "ru": "снижени* вреда",
        "ar": "الحد من الضرر",
    }


def test_malformed_glossary_is_one_clear_error(project: Project) -> None:
    glossary = project.locales_dir / "es" / "glossary.toml"
    glossary.write_text('[required]\n"harm reduction" = ["reducción de daños"\n', encoding="utf-8")
    with pytest.raises(GuideError, match=r"glossary\.toml:\d+: invalid TOML"):
        load_language_rules(project, "es")
    glossary.write_text('[required]\n"harm reduction" = 3\n', encoding="utf-8")
    with pytest.raises(GuideError, match="must be a list of non-empty strings"):
        load_language_rules(project, "es")


# Right-to-left text with Latin URLs ---------------------------------------------------------------


def test_arabic_with_latin_urls_and_reordered_links_passes(rules) -> None:
    msgid = (
        "The [WHO guidelines](https://www.who.int/publications/i/item/9789240052) and the "
        "[UNODC report](https://www.unodc.org/unodc/en/data-and-analysis/wdr.html) were published in 2022."
    )
    msgstr = (
        "\u200fنُشر [تقرير مكتب الأمم المتحدة المعني بالمخدرات والجريمة](https://www.unodc.org/unodc/en/data-and-analysis/wdr.html) "
        "و[إرشادات منظمة الصحة العالمية](https://www.who.int/publications/i/item/9789240052) في عام 2022."
    )
    assert check(msgid, msgstr, lang="ar", rules=rules).findings == []
    hijacked = msgstr.replace("https://www.who.int/", "https://www.who.int.evil.example/")
    assert ids(check(msgid, hijacked, lang="ar", rules=rules)) == ["url"]


# Silencing -----------------------------------------------------------------------------------------


def test_translator_comment_silences_named_checks_and_is_counted(rules) -> None:
    msgid = f"Harm reduction: [read]({WHO})."
    msgstr = "Mitigación: [leer](https://www.example.org/es/hoja)."
    assert sorted(ids(check(msgid, msgstr, rules=rules))) == ["glossary", "url"]
    report = check(msgid, msgstr, rules=rules, comment="check: ignore=url,glossary — localized page")
    assert report.findings == []
    assert report.silenced == {"url": 1, "glossary": 1}
    partly = check(msgid, msgstr, rules=rules, comment="check: ignore=url — localized page")
    assert ids(partly) == ["glossary"] and partly.silenced == {"url": 1}


def test_unknown_check_in_a_silencing_comment_is_reported() -> None:
    report = check("Text.", "Texto.", comment="check: ignore=ulr — typo")
    assert ids(report) == ["ignore"]
    assert "ulr" in report.findings[0].message


# Catalogue files ---------------------------------------------------------------------------------------


def test_catalogue_validity_errors_name_file_and_line(project: Project) -> None:
    folder = project.catalog_dir("es")
    good = polib.POEntry(msgid="Text.", msgstr="Texto.")
    write_po(folder / "wrong_language.po", [good], lang="fr")
    write_po(folder / "no_plural.po", [good], **{"Plural-Forms": ""})
    write_po(folder / "twice.po", [good, polib.POEntry(msgid="Text.", msgstr="Otro texto.")])
    (folder / "latin1.po").write_bytes(
        b'msgid ""\nmsgstr ""\n"Language: es\\n"\n\nmsgid "Health"\nmsgstr "Salud p\xfablica"\n'
    )
    (folder / "broken.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n\nmsgid "Health"\nmsgstr "Salud\n', encoding="utf-8"
    )
    report = check_catalogues(project, ["es"])
    found = {(Path(f.file).name, f.check, f.severity) for f in report.findings}
    for name in ("wrong_language.po", "no_plural.po", "twice.po", "latin1.po", "broken.po"):
        assert (name, "catalogue", "error") in found, name
    latin1 = next(f for f in report.findings if f.file.endswith("latin1.po"))
    assert latin1.line == 6 and "UTF-8" in latin1.message
    twice = next(f for f in report.findings if f.file.endswith("twice.po"))
    assert "already defined at line" in twice.message
    wrong = next(f for f in report.findings if f.file.endswith("wrong_language.po"))
    assert wrong.file == "locales/es/LC_MESSAGES/wrong_language.po" and "'fr'" in wrong.message


def test_fuzzy_entries_are_reported_not_checked(project: Project) -> None:
    fuzzy = polib.POEntry(msgid=f"Read [it]({WHO}).", msgstr="Lea [esto](https://evil.example).", flags=["fuzzy"])
    write_po(project.catalog_dir("es") / "fuzzy.po", [fuzzy])
    report = check_catalogues(project, paths=[project.catalog_dir("es") / "fuzzy.po"])
    assert ids(report) == ["fuzzy"] and report.fuzzy == 1 and report.ok


def test_hostile_fixture_catalogue_is_caught_entry_by_entry(project: Project) -> None:
    po = project.catalog_dir("es") / "chapter.po"
    report = check_catalogues(project, paths=[po])
    lines = {polib_entry.msgid: polib_entry.linenum for polib_entry in polib.pofile(str(po))}
    by_line: dict[int, set[str]] = {}
    for finding in report.errors:
        by_line.setdefault(finding.line, set()).add(finding.check)
    assert by_line == {
        lines["Read [the WHO page](https://www.who.int/health-topics/drugs) first."]: {"url"},
        lines["Also see {ref}`the start of the chapter <chapter>`."]: {"role"},
        lines["Harm reduction saves lives."]: {"html"},
        lines["Naloxone reverses overdoses."]: {"html"},
        lines["Click here for help."]: {"html"},
        lines["This paragraph must stay a paragraph."]: {"structure"},
        lines["This one is translated as two paragraphs."]: {"structure"},
    }


def test_fast_reader_reads_catalogues_exactly_like_polib() -> None:
    files = sorted(REPO.glob("locales/*/LC_MESSAGES/*.po")) + sorted(REPO.glob("tests/sourcedirs/*/locales/*/*/*.po"))
    assert files
    for path in files:
        entries = read_entries(path.read_text(encoding="utf-8"))
        assert entries is not None, path
        ours = [
            (e.msgid, e.msgstr, e.msgctxt, e.fuzzy, e.obsolete, e.line, e.comment) for e in entries if not e.is_header
        ]
        theirs = [
            (e.msgid, e.msgstr, e.msgctxt, e.fuzzy, e.obsolete, e.linenum, e.tcomment) for e in polib.pofile(str(path))
        ]
        assert ours == [(*entry[:6], entry[6] + "\n" if entry[6] else "") for entry in theirs], path
        assert header_fields(entries) == polib.pofile(str(path)).metadata


po_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from('"\\\n\t'))


@settings(max_examples=150, deadline=None)
@given(
    entries=st.lists(
        st.tuples(po_text.filter(bool), po_text, st.booleans(), st.sampled_from(["", "check: ignore=url — why"])),
        max_size=6,
        unique_by=lambda entry: entry[0],
    )
)
def test_fast_reader_reads_what_polib_writes(entries) -> None:
    po = polib.POFile()
    po.metadata = {"Language": "es", "Content-Type": "text/plain; charset=UTF-8"}
    for msgid, msgstr, fuzzy, comment in entries:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"] if fuzzy else [], tcomment=comment))
    ours = read_entries(str(po))
    assert ours is not None
    assert [(e.msgid, e.msgstr, e.fuzzy, e.comment.strip()) for e in ours if not e.is_header] == [
        (msgid, msgstr, fuzzy, comment) for msgid, msgstr, fuzzy, comment in entries
    ]


@pytest.mark.parametrize(
    "text",
    [
        'msgid "Health"\nmsgstr "Salud\n',  # unterminated string
        'msgstr "Salud"\n',  # msgstr without msgid
        'msgid "Health"\n',  # msgid without msgstr
        'msgid "Health"\nmsgstr "Sa\\qlud"\n',  # an escape gettext does not know
        'msgid "Health"\nmsgstr "Salud"\n"continued" trailing\n',
    ],
)
def test_fast_reader_leaves_malformed_files_to_the_strict_reader(project: Project, text: str) -> None:
    assert read_entries(text) is None
    path = project.catalog_dir("es") / "malformed.po"
    header = 'msgid ""\nmsgstr ""\n"Language: es\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
    path.write_text(header + text, encoding="utf-8")
    report = check_catalogues(project, paths=[path])
    [finding] = report.errors
    assert finding.check == "catalogue" and finding.line > 5 and finding.message.startswith("cannot be read")


def test_large_runs_are_shared_among_workers_with_identical_results(project: Project) -> None:
    chapter = project.catalog_dir("es") / "chapter.po"
    for number in range(PARALLEL_FROM):
        shutil.copy(chapter, chapter.with_name(f"copy-{number:02d}.po"))
    alone = check_catalogues(project, ["es"], jobs=1)
    shared = check_catalogues(project, ["es"], jobs=2)
    assert shared.findings == alone.findings and len(shared.errors) > PARALLEL_FROM
    assert (shared.catalogues, shared.translated, shared.silenced) == (
        alone.catalogues,
        alone.translated,
        alone.silenced,
    )


# The command --------------------------------------------------------------------------------------


def test_guide_check_text_json_and_github_output(project: Project, capsys) -> None:
    assert main(["--root", str(project.root), "check", "--lang", "es"]) == 1
    text = capsys.readouterr().out
    assert "locales/es/LC_MESSAGES/chapter.po:" in text
    assert "error [structure]" in text and "    fix: " in text and "    in: " in text
    assert "errors," in text.splitlines()[-1]

    assert main(["--root", str(project.root), "check", "--format", "json"]) == 1
    captured = capsys.readouterr()
    findings = json.loads(captured.out)
    assert {"file", "line", "lang", "check", "severity", "message"} <= set(findings[0])
    assert {finding["check"] for finding in findings} >= {"url", "html", "structure", "role"}
    assert "errors" in captured.err  # the summary stays out of the JSON

    assert main(["--root", str(project.root), "check", "--format", "github"]) == 1
    github = capsys.readouterr().out.splitlines()
    assert any(line.startswith("::error file=locales/es/LC_MESSAGES/chapter.po,line=") for line in github)


def test_guide_check_passes_on_clean_catalogues_and_limits_to_paths(project: Project, capsys) -> None:
    clean = write_po(project.catalog_dir("es") / "clean.po", [polib.POEntry(msgid="Text.", msgstr="Texto.")])
    assert main(["--root", str(project.root), "check", str(clean)]) == 0
    assert "0 errors" in capsys.readouterr().out
    assert main(["--root", str(project.root), "check", str(project.root / "nowhere.po")]) == 1
    assert "nowhere.po: no such file" in capsys.readouterr().err


def test_format_report_lists_every_check_id_it_uses() -> None:
    report = check("Health comes first.", "# Un título")
    text, summary = format_report(report, "text")
    assert "[structure]" in text and summary.startswith("1 error")
    assert set(ids(report)) <= set(CHECKS)


def test_the_guides_own_catalogues_have_no_errors(real_project: Project) -> None:
    report = check_catalogues(real_project)
    assert report.catalogues > 0
    assert report.errors == [], format_report(report)[0]


# Property tests ----------------------------------------------------------------------------------------

MYST_ALPHABET = st.sampled_from(
    [
        *"abc xyz.,;:!?#*_`[](){}<>-+=|^$%&\\/\"'~\n",
        *("{ref}`a <b>`", "[^1]", "](https://x.org)", "{{ v }}", "<script>", "javascript:", "1. ", "> ", "ال", "ё"),
    ]
)
messages = st.lists(MYST_ALPHABET, max_size=40).map("".join) | st.text(max_size=80)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(msgid=messages, msgstr=messages, interface=st.booleans())
def test_checker_never_crashes(rules, msgid: str, msgstr: str, interface: bool) -> None:
    for lang in ("es", "ar"):
        report = check(msgid, msgstr, lang=lang, rules=rules, interface=interface)
        assert all(finding.check in CHECKS for finding in report.findings)


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60) | messages)
def test_fast_paths_agree_with_a_full_markdown_it_parse(text: str) -> None:
    fast = SCANNER._scan_one_paragraph(text)
    if fast is not None:
        assert fast == SCANNER._scan_tokens(SCANNER.parser.parse(text, {}))


# The build: hostile translations never reach readers -----------------------------------------------


def _entry_line(po: Path, msgid: str) -> int:
    return next(entry.linenum for entry in polib.pofile(str(po)) if entry.msgid == msgid)


def _problems(result, po: Path, msgid: str) -> list[str]:
    line = _entry_line(po, msgid)
    return [problem.message for problem in result.problems if (problem.file, problem.line) == (po_rel(po), line)]


def po_rel(po: Path) -> str:
    return "locales/es/LC_MESSAGES/" + po.name


@pytest.fixture
def hostile_build(tmp_path: Path):
    project = copy_project("hostile", tmp_path)

    def build(**overrides):
        result = run_sphinx(project, "es", "html", outdir=tmp_path / "out", overrides=overrides, fresh=True)
        return result, (tmp_path / "out" / "chapter.html").read_text(encoding="utf-8")

    return project, build


def test_planted_script_and_changed_url_never_reach_the_html(hostile_build) -> None:
    project, build = hostile_build
    result, html = build()
    po = project.catalog_dir("es") / "chapter.po"
    assert not result.ok
    assert "evil.example" not in html
    assert "<script>alert" not in html and '<img src="x"' not in html
    assert 'href="javascript:' not in html.lower()
    assert "&lt;script&gt;" in html  # shown as text, escaped
    assert 'href="https://es.wikipedia.org/wiki/Reducci%C3%B3n_de_da%C3%B1os"' in html  # allowlisted
    assert 'href="mailto:' in html and "los editores</a>" in html
    assert "Lea primero <span>la página de la OMS</span>." in html  # the words stay, the link goes
    [changed] = _problems(result, po, "Read [the WHO page](https://www.who.int/health-topics/drugs) first.")
    assert "https://evil.example/phish" in changed and "link was removed" in changed
    assert "(source: guide/chapter.md:7)" in changed


def test_structure_breaking_msgstr_gives_a_warning_naming_the_po_entry(hostile_build) -> None:
    project, build = hostile_build
    result, html = build()
    po = project.catalog_dir("es") / "chapter.po"
    [unused] = _problems(result, po, "This paragraph must stay a paragraph.")
    assert "translation not used, the English text was kept" in unused and "heading" in unused
    assert "This paragraph must stay a paragraph." in html and "Este párrafo" not in html
    [partly] = _problems(result, po, "This one is translated as two paragraphs.")
    assert "only the start of the translation was used" in partly
    [inconsistent] = _problems(result, po, "Also see {ref}`the start of the chapter <chapter>`.")
    assert "inconsistent term references" in inconsistent and "(source: guide/chapter.md:" in inconsistent


def test_translation_problems_fail_every_rebuild_until_fixed(tmp_path: Path) -> None:
    project = copy_project("hostile", tmp_path)
    first = run_sphinx(project, "es", "html")
    again = run_sphinx(project, "es", "html")  # incremental: nothing changed, nothing re-read but this
    assert sorted(map(str, again.problems)) == sorted(map(str, first.problems)) and not again.ok
    po = project.catalog_dir("es") / "chapter.po"
    fixed = polib.pofile(str(po))
    for entry in fixed:
        entry.msgstr = ""  # fall back to English everywhere: nothing left to complain about
    fixed.save(str(po))
    assert run_sphinx(project, "es", "html").ok


def test_raw_html_is_neutralised_even_when_myst_passes_html_through(hostile_build) -> None:
    project, build = hostile_build
    result, html = build(myst_disable_syntax=[])
    po = project.catalog_dir("es") / "chapter.po"
    assert "<script>alert" not in html and '<img src="x" onerror' not in html
    [script] = _problems(result, po, "Harm reduction saves lives.")
    assert "raw markup in the translation was shown as text" in script
    [image] = _problems(result, po, "Naloxone reverses overdoses.")
    assert "onerror" in image


def test_interface_strings_from_ui_po_are_escaped(hostile_build) -> None:
    project, build = hostile_build
    write_po(
        project.catalog_dir("es") / "ui.po",
        [
            polib.POEntry(
                msgid="This page is {percent} % translated.",
                msgstr="<script>alert('ui')</script>Esta página está traducida al {percent} %.",
            )
        ],
    )
    result, _ = build()
    index = (Path(result.outdir) / "index.html").read_text(encoding="utf-8")
    assert "Esta página está traducida" in index
    assert "<script>alert('ui')" not in index and "&lt;script&gt;alert(" in index


def test_source_language_build_is_untouched(hostile_build) -> None:
    project, _ = hostile_build
    result = run_sphinx(project, "en", "html", outdir=project.root / "out-en")
    assert result.ok, result.problems


def test_planted_script_and_changed_url_never_reach_the_pdf(tmp_path: Path) -> None:
    # Warnings are silenced here so the print edition is rendered at all: what is neutralised is
    # the content itself, not only the build's verdict.
    from guidetools.pdf.render import build_pdf

    project = copy_project("hostile", tmp_path)
    conf = project.source_dir / "conf.py"
    conf.write_text(
        conf.read_text(encoding="utf-8")
        + '\nsuppress_warnings = ["guide.translation", "i18n.inconsistent_references"]\n',
        encoding="utf-8",
    )
    [result] = build_pdf(project, ["es"], jobs=1)
    assert result.ok, result.problems
    for path in result.files:
        reader = pypdf.PdfReader(path)
        text = " ".join(page.extract_text() or "" for page in reader.pages)
        uris = [
            annotation.get_object().get("/A", {}).get("/URI")
            for page in reader.pages
            for annotation in page.get("/Annots") or []
        ]
        assert "evil.example" not in text and "evil.example" not in str(uris)
        assert not any(str(uri).lower().startswith("javascript:") for uri in uris if uri)
        assert "https://es.wikipedia.org/wiki/Reducci%C3%B3n_de_da%C3%B1os" in uris  # the allowlisted link stays
        assert b"/JavaScript" not in path.read_bytes() and b"/JS " not in path.read_bytes()


BLOCKISH_LINES = [
    *("word", "Text with more words.", "a\tb", "{term}`naloxone` saves", "*em* and **strong**", "[l](https://a.org)"),
    *("1984 was a year", "-5 degrees", "12.5 %", "x $y$", "term", ":  definition", ":field: value", "- item"),
    *("* item", "1. one", "2) two", "10. ten", "> quote", "# heading", "```", "~~~", "| a | b |", "---", "==="),
    *("***", "___", "<div>", "<!-- c -->", "% comment", "(label)=", ":::{note}", "$$", "+++", "  indented"),
    *("    code", "\ttab", "", "[ref]: https://a.org", "![alt](figure.svg)"),
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(BLOCKISH_LINES), min_size=1, max_size=5))
def test_the_guard_skips_parsing_only_what_is_one_block(lines: list[str]) -> None:
    """MystScanner.is_one_paragraph (the guard's shortcut) never says yes to text MyST reads as several blocks."""
    from myst_parser.config.main import MdParserConfig

    text = "\n".join(lines)
    for extensions in ({"colon_fence", "deflist"}, {"colon_fence", "deflist", "dollarmath", "fieldlist", "amsmath"}):
        scanner = MystScanner(MdParserConfig(enable_extensions=extensions))
        if scanner.is_one_paragraph(text):
            assert len(scanner._scan_tokens(scanner.parser.parse(text, {})).blocks) <= 1, text
