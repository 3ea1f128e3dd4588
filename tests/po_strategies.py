"""Hypothesis strategies for catalogue text and messages shaped like the guide's."""

from __future__ import annotations

from hypothesis import strategies as st

from guidetools.catalog import Catalog, Message, format_header

# Words and markup found in the guide's sources and its translations.
_SAMPLE = (  # typographic quotes and dashes on purpose
    "harm reduction saves lives policy the of and to drug people who use drugs {term}`naloxone` "
    "[UNODC](https://www.unodc.org/unodc/en/drug-prevention-and-treatment/index.html) e.g. 3,5 % 1.000 €20 "
    "(see {ref}`chapter-first`) «bonjour» “quoted” ‘single’ l’état — – - / \\ \" 'x' … ! ? ; : "  # noqa: RUF001
    "reducción de daños снижение вреда الحد من الضرر ٣٤ ، ؟ **bold** *em* `code` [^src] | "
    "x-y 2020-2025 a\u00a0b c\u202fd 中文字符 😀👍🏽 é e\u0301 www.who.int/news 100% $5 #1 a=b <tag> {numref}`Figure %s <fig-x>` "
    "averyveryverylongwordwithoutanyspacesthatcannotbebrokenanywhereatallbecauseitjustgoesonandon"
)
WORDS = _SAMPLE.split(" ")

word = st.sampled_from(WORDS)
separator = st.sampled_from([" ", " ", " ", " ", "", "\n", "\t"])


@st.composite
def prose(draw, min_words: int = 1, max_words: int = 40) -> str:
    words = draw(st.lists(word, min_size=min_words, max_size=max_words))
    text = words[0]
    for item in words[1:]:
        text += draw(separator) + item
    if draw(st.booleans()) and draw(st.booleans()):
        text += "\n"
    return text


translation = st.one_of(st.just(""), prose())
comment_line = st.sampled_from(["", "checked by the glossary team", "Translators: keep the link", " indented note"])


@st.composite
def messages(draw, count: int = 12) -> list[Message]:
    """Messages with unique msgids, some fuzzy, commented, with previous msgids or obsolete."""
    ids = draw(st.lists(prose(max_words=25), min_size=1, max_size=count, unique=True))
    result = []
    for msgid in ids:
        msgstr = draw(translation)
        message = Message(msgid=msgid, msgstr=msgstr)
        if draw(st.integers(0, 5)) == 0:
            message.msgctxt = draw(st.sampled_from(["menu", "glossary"]))
        if msgstr and draw(st.booleans()):
            message.flags.append("fuzzy")
            if draw(st.booleans()):
                message.previous_msgid = draw(prose(max_words=25))
        if draw(st.integers(0, 3)) == 0:
            message.comments = draw(st.lists(comment_line, min_size=1, max_size=2))
        if draw(st.integers(0, 4)) == 0:
            message.references = draw(
                st.lists(
                    st.sampled_from(["_templates/page.html", "guide/a-long-chapter-name.md:12"]),
                    min_size=1,
                    max_size=8,
                    unique=True,
                )
            )
        if msgstr and draw(st.integers(0, 5)) == 0:
            message.obsolete = True
        result.append(message)
    return result


def header(language: str = "fr") -> Message:
    fields = [
        ("Project-Id-Version", "Drug Policy Guide"),
        ("POT-Creation-Date", "2026-11-28 00:54+0000"),
        ("Language", language),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", "nplurals=2; plural=(n > 1);"),
    ]
    return Message(msgid="", msgstr=format_header(fields), comments=["French translation of the Drug Policy Guide."])


@st.composite
def catalogs(draw, count: int = 12) -> Catalog:
    return Catalog(messages=[header(), *draw(messages(count))])
