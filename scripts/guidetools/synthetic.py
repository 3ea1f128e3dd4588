"""A synthetic guide of any size, with pseudo-translated catalogues, for benchmarks and scale tests.

The generated project is a real guide repository: it copies the project's own ``guide/conf.py``,
``guide/_static/``, ``_templates/`` and ``locales/languages.toml`` (so a benchmark measures the
configuration the real guide uses), then writes chapters that use every construct the real guide
uses — labelled sections, admonitions, tables, footnotes, figures, links, cross-references and
glossary terms — and catalogues extracted with Sphinx's gettext builder and filled in by a
pseudo-translator that changes only the words and keeps every piece of MyST markup intact, then
brought to the layout ``guide update`` keeps them in.

Nothing here is committed: the text is generated from a fixed seed at run time.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import polib

from guidetools import GuideError
from guidetools.project import Project, write_text_atomic

# Words for the generated prose; the topic does not matter, the shape of the text does.
_WORDS = """
policy health people drugs law treatment service community public evidence rights state court
prison police access harm reduction programme funding review report country government minister
budget outcome risk overdose medicine clinic worker family youth school support research data
study result approach measure reform strategy plan action response principle standard practice
agency network partner region city district village market supply demand price income housing
employment education training staff capacity quality safety dignity consent privacy record system
process decision meeting council committee parliament office guidance framework indicator target
monitoring evaluation cost benefit impact sector civil society organisation peer outreach testing
prevention recovery care dependence infection hepatitis prevention commission convention treaty
protocol article resolution declaration agreement obligation discretion sentence penalty fine
offence possession cultivation trafficking diversion alternative development livelihood farmer
crop land road credit season harvest route border customs seizure laboratory sample analysis
"""
_VOCABULARY = tuple(re.findall(r"\w+", _WORDS))
_GLOSSARY_TERMS = [
    "harm reduction",
    "decriminalisation",
    "depenalisation",
    "diversion",
    "naloxone",
    "opioid agonist therapy",
    "drug checking",
    "drug consumption room",
    "controlled medicines",
    "essential medicines",
    "legal regulation",
    "alternative development",
    "civil society",
    "stigma",
    "proportionality",
    "peer worker",
    "needle and syringe programme",
    "people who use drugs",
    "compulsory detention",
    "precursor chemicals",
]

_FIGURE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120" viewBox="0 0 400 120">
<rect x="10" y="10" width="{width}" height="100" fill="#2a6f97"/>
<rect x="{second_x}" y="30" width="120" height="80" fill="#61a5c2"/>
<text x="20" y="60" font-size="14" fill="#ffffff">{label}</text>
</svg>
"""


@dataclass(frozen=True)
class GuideSize:
    chapters: int = 20
    sections: int = 10
    seed: int = 9


@dataclass
class SyntheticGuide:
    project: Project
    chapters: list[str]
    words: int
    messages: int
    languages: list[str]

    def chapter_path(self, index: int) -> Path:
        return self.project.source_dir / f"{self.chapters[index]}.md"


class _Writer:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def words(self, low: int, high: int) -> list[str]:
        return [self.random.choice(_VOCABULARY) for _ in range(self.random.randint(low, high))]

    def sentence(self, low: int = 9, high: int = 15) -> str:
        words = self.words(low, high)
        return " ".join(words).capitalize() + "."

    def title(self) -> str:
        return " ".join(self.words(2, 5)).capitalize()


def _chapter_slug(index: int) -> str:
    return f"topic-{index + 1:02d}"


def _chapter(writer: _Writer, index: int, size: GuideSize) -> str:
    slug = _chapter_slug(index)
    rnd = writer.random
    lines = [f"({slug})=", f"# {writer.title()}", ""]
    lines += [writer.sentence() for _ in range(3)] + [""]
    lines += [
        f":::{{figure}} figures/figure-{index + 1:02d}.svg",
        f":name: fig-{slug}",
        f":alt: {writer.sentence(6, 10)}",
        ":width: 80%",
        "",
        writer.sentence(),
        writer.sentence(),
        ":::",
        "",
    ]
    footnotes = []
    for section in range(size.sections):
        label = f"{slug}-s{section + 1:02d}"
        lines += [f"({label})=", f"## {writer.title()}", ""]
        for paragraph in range(4):
            sentences = [writer.sentence() for _ in range(3)]
            if paragraph == 0:
                term = rnd.choice(_GLOSSARY_TERMS)
                sentences[0] = sentences[0][:-1] + f" and {{term}}`{term}`."
            if paragraph == 1:
                other = _chapter_slug(rnd.randrange(size.chapters))
                target = f"{other}-s{rnd.randrange(size.sections) + 1:02d}"
                sentences[1] = sentences[1][:-1] + f", as {{ref}}`{target}` explains."
                footnote = f"{label}-source"
                sentences[2] = sentences[2] + f"[^{footnote}]"
                footnotes.append(f"[^{footnote}]: {writer.sentence(5, 9)[:-1]}, [online](https://example.org/{label}).")
            if paragraph == 2 and section % 2 == 0:
                sentences[0] = sentences[0][:-1] + f" (see {{numref}}`Figure %s <fig-{slug}>`)."
            if paragraph == 3:
                sentences[1] = (
                    f"Read [{' '.join(writer.words(2, 4))}](https://example.org/{label}) for *details* and **data**."
                )
            lines += [*sentences, ""]
        lines += [f"- {writer.sentence(6, 12)}" for _ in range(5)] + [""]
        if section % 2 == 0:
            lines += [":::{admonition} Key recommendations", ":class: key-recommendations", ""]
            lines += [f"- {writer.sentence(6, 12)}" for _ in range(3)] + [":::", ""]
        else:
            lines += [":::{note}", writer.sentence(), writer.sentence(), ":::", ""]
        header = [writer.title() for _ in range(3)]
        lines += ["| " + " | ".join(header) + " |", "|---|---|---|"]
        for _ in range(4):
            lines.append("| " + " | ".join(" ".join(writer.words(2, 5)).capitalize() for _ in range(3)) + " |")
        lines.append("")
        lines += [f"1. {writer.sentence(4, 8)}" for _ in range(4)] + [""]
    lines += footnotes
    return "\n".join(lines) + "\n"


def _glossary(writer: _Writer) -> str:
    lines = ["(glossary)=", "# Glossary", "", writer.sentence(), "", ":::{glossary}"]
    for term in sorted(_GLOSSARY_TERMS):
        lines += [term, f"  {writer.sentence()}", f"  {writer.sentence()}", ""]
    lines[-1] = ":::"
    return "\n".join(lines) + "\n"


def _index(writer: _Writer, chapters: list[str]) -> str:
    lines = ["(home)=", "# Synthetic Drug Policy Guide", "", writer.sentence(), writer.sentence(), ""]
    lines += ["```{toctree}", ":maxdepth: 2", ":caption: Contents", "", *chapters, "```", ""]
    return "\n".join(lines)


def generate(
    template: Project, destination: Path, size: GuideSize = GuideSize(), languages: int | None = None
) -> SyntheticGuide:
    """Write a synthetic guide into ``destination`` (which must not exist) and translate it.

    ``languages`` limits the translations to the first N non-source languages of the registry.
    """
    if destination.exists():
        raise GuideError(f"{destination}: already exists; the synthetic guide needs a new folder")
    project = Project(destination)
    source = project.source_dir
    source.mkdir(parents=True)
    shutil.copy2(template.source_dir / "conf.py", source / "conf.py")
    if (template.source_dir / "_static").is_dir():
        shutil.copytree(template.source_dir / "_static", source / "_static")
    shutil.copytree(template.templates_dir, project.templates_dir)
    project.locales_dir.mkdir()
    shutil.copy2(template.registry_path, project.registry_path)

    writer = _Writer(size.seed)
    chapters = [_chapter_slug(i) for i in range(size.chapters)]
    (source / "figures").mkdir()
    for i, slug in enumerate(chapters):
        write_text_atomic(source / f"{slug}.md", _chapter(writer, i, size))
        svg = _FIGURE_SVG.format(width=100 + 10 * (i % 10), second_x=220, label=f"Figure {i + 1}")
        write_text_atomic(source / "figures" / f"figure-{i + 1:02d}.svg", svg)
    write_text_atomic(source / "glossary.md", _glossary(writer))
    write_text_atomic(source / "index.md", _index(writer, [*chapters, "glossary"]))

    registry = project.registry
    targets = [lang.code for lang in registry.translations][: languages if languages is not None else None]
    words, messages = translate(project, targets)
    if targets:
        # As this repository's catalogues are: kept by ``guide update`` (msgcat's layout, its
        # headers and source references), so that a benchmark of the translators' step starts
        # where a translator's does, not from the pseudo-translator's own layout.
        from guidetools.update import update_catalogs

        update_catalogs(project, targets, write_report=False)
        shutil.rmtree(project.build_dir, ignore_errors=True)  # a fresh checkout has no build state
    return SyntheticGuide(project, chapters, words, messages, [registry.source, *targets])


def translate(project: Project, langs: list[str]) -> tuple[int, int]:
    """Extract the messages with Sphinx's gettext builder and pseudo-translate them into ``langs``.

    Returns (words, messages) of the source text as the catalogues see it.
    """
    from guidetools.build import run_sphinx

    pot_dir = project.build_dir / ".synthetic-pot"
    result = run_sphinx(project, project.registry.source, "gettext", outdir=pot_dir, fresh=True)
    if not result.ok:
        raise GuideError("; ".join(str(p) for p in result.problems))
    words = messages = 0
    for pot_path in sorted(pot_dir.glob("*.pot")):
        pot = polib.pofile(str(pot_path))
        messages += len(pot)
        words += sum(len(entry.msgid.split()) for entry in pot)
        for lang in langs:
            catalog = polib.POFile()
            # The template's creation date, as Sphinx's gettext builder and msginit write it.
            created = pot.metadata.get("POT-Creation-Date", "2026-01-01 00:00+0000")
            catalog.metadata = {
                "POT-Creation-Date": created,
                "Content-Type": "text/plain; charset=UTF-8",
                "Language": lang,
            }
            for entry in pot:
                catalog.append(polib.POEntry(msgid=entry.msgid, msgstr=pseudo_translate(entry.msgid, lang)))
            target = project.catalog_dir(lang) / f"{pot_path.stem}.po"
            target.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(target, str(catalog))
    shutil.rmtree(pot_dir)
    return words, messages


# Markup that must reach the translation unchanged, or whose visible text alone is translated.
_PROTECTED = re.compile(
    r"(?P<role>\{(?P<role_name>[\w:-]+)\}`(?P<role_body>[^`]*)`)"
    r"|(?P<code>`[^`]*`)"
    r"|(?P<footnote>\[\^[^\]]+\])"
    r"|(?P<link>\[(?P<link_text>[^\]]*)\]\((?P<link_url>[^)]*)\))"
    r"|(?P<url><[^>]+>|https?://\S+)"
)
_ROLE_WITH_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
_WORD = re.compile(r"[A-Za-z]+")

_LETTERS = {
    "Latn": str.maketrans("aeiouncAEIOUNC", "áéíóúñçÁÉÍÓÚÑÇ"),
    "Cyrl": str.maketrans(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "абцдефгхийклмнопкрстуввхызАБЦДЕФГХИЙКЛМНОПКРСТУВВХЫЗ",
    ),
    "Arab": str.maketrans(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "ابتثجحخدذرزسشصضطظعغفقكلمنهابتثجحخدذرزسشصضطظعغفقكلمنه",
    ),
}
_SCRIPTS = {"ar": "Arab", "fa": "Arab", "ur": "Arab", "ru": "Cyrl", "uk": "Cyrl", "bg": "Cyrl", "sr": "Cyrl"}


def _pseudo_words(text: str, table: dict, lang: str) -> str:
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        count += 1
        word = match[0].translate(table)
        # Translations run longer than English; one extra word in five approximates that.
        return f"{word} {word.lower()}" if count % 5 == 0 else word

    return _WORD.sub(replace, text)


def pseudo_translate(msgid: str, lang: str) -> str:
    """A stand-in translation: the words changed (and ~20 % longer), every piece of markup intact.

    Roles keep their target (``{term}`text <target>```), links their URL, footnote references and
    code stay as they are, so Sphinx finds the same references in the translation as in the source.
    """
    table = _LETTERS[_SCRIPTS.get(lang.split("_")[0], "Latn")]
    pieces: list[str] = []
    position = 0
    for match in _PROTECTED.finditer(msgid):
        pieces.append(_pseudo_words(msgid[position : match.start()], table, lang))
        position = match.end()
        if match["role"]:
            name, body = match["role_name"], match["role_body"]
            explicit = _ROLE_WITH_TARGET.match(body)
            if name == "term":
                text, target = (explicit["text"], explicit["target"]) if explicit else (body, body)
                pieces.append(f"{{term}}`{_pseudo_words(text, table, lang)} <{target}>`")
            elif name == "numref" and explicit:
                text = re.sub(
                    r"(%s|\{[^}]*\})|([^%{]+)", lambda m: m[1] or _pseudo_words(m[2], table, lang), explicit["text"]
                )
                pieces.append(f"{{numref}}`{text} <{explicit['target']}>`")
            else:
                pieces.append(match[0])
        elif match["link"]:
            pieces.append(f"[{_pseudo_words(match['link_text'], table, lang)}]({match['link_url']})")
        else:
            pieces.append(match[0])
    pieces.append(_pseudo_words(msgid[position:], table, lang))
    return "".join(pieces)
