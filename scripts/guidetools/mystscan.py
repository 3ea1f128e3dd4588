"""Read one translatable message the way the guide's build reads it: with MyST, not with regexes.

A message (a msgid or a msgstr) is parsed by markdown-it-py configured exactly like the build
(``myst_*`` settings of guide/conf.py, through MyST-Parser's own ``create_md_parser``), and the
tokens are reduced to what translation checks compare: the kinds of top-level blocks, link and
image targets, MyST roles and their targets, footnote references, substitutions, labels, inline
code, math, HTML-looking tags, and the readable text.

Most messages are plain prose; those that contain no character markdown-it could act on take a
fast path that yields exactly what a parse would (one paragraph of text) without parsing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from guidetools import GuideError

# Roles whose content is a target (compared as is; display text in "text <target>" may change).
# Unknown roles count as cross-references too: a fixed target is the safe assumption.
TEXT_ROLES = frozenset(
    {
        "abbr",
        "dfn",
        "emphasis",
        "guilabel",
        "index",
        "kbd",
        "menuselection",
        "strong",
        "sub",
        "subscript",
        "sup",
        "superscript",
        "title-reference",
    }
)
LITERAL_ROLES = frozenset({"math", "code", "literal", "samp", "file", "command", "program", "regexp", "mimetype"})
# Standard-domain roles that Sphinx lowercases before resolving: "Proportionality" = "proportionality".
CASE_INSENSITIVE_ROLES = frozenset({"ref", "numref", "term", "keyword", "std:ref", "std:numref", "std:term"})

_ROLE_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
_SUBSTITUTION = re.compile(r"\{\{\s*(?P<name>[^{}]+?)\s*\}\}")
# Something a browser would take for an HTML tag or comment, were it passed through.
_HTML_TAG = re.compile(r"<(?:!--|/?[A-Za-z][A-Za-z0-9:-]*(?=[\s/>])[^<>]*>?)")

_BLOCK_NAMES = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "bullet_list_open": "bullet list",
    "ordered_list_open": "numbered list",
    "blockquote_open": "block quote",
    "code_block": "indented code block",
    "hr": "horizontal rule",
    "table_open": "table",
    "html_block": "HTML block",
    "myst_target": "label",
    "myst_line_comment": "comment",
    "myst_block_break": "block break",
    "footnote_reference_open": "footnote definition",
    "dl_open": "definition list",
    "front_matter": "front matter",
    "math_block": "math block",
    "math_block_label": "math block",
    "amsmath": "math block",
    "field_list_open": "field list",
}


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    target: str  # "" for roles whose content is free text (abbr, sub, kbd…)
    text: str  # what readers see
    source: str  # the role as written, for reports

    @property
    def key(self) -> tuple[str, str]:
        target = self.target.casefold() if self.name in CASE_INSENSITIVE_ROLES else self.target
        return (self.name, " ".join(target.split()))


@dataclass(frozen=True, slots=True)
class Scan:
    """What one message contains, as far as translation checks are concerned."""

    blocks: tuple[str, ...]
    text: str  # readable text: no code, math, URLs, role targets or footnote labels
    links: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    footnotes: tuple[str, ...] = ()
    substitutions: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    math: tuple[str, ...] = ()
    html: tuple[str, ...] = ()  # tags (or raw HTML) outside code and math
    # text that a browser could see unescaped if HTML were enabled: text tokens and raw HTML
    markup_text: str = ""


@dataclass
class _Collector:
    text: list[str] = field(default_factory=list)
    markup: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    substitutions: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    math: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)

    def add_text(self, content: str) -> None:
        self.text.append(content)
        self.markup.append(content)
        self.html += _HTML_TAG.findall(content)
        self.substitutions += (m["name"] for m in _SUBSTITUTION.finditer(content))


class MystScanner:
    """Scans messages with one reusable markdown-it parser built from a MyST configuration."""

    def __init__(self, config: MdParserConfig | None = None) -> None:
        self.config = config or MdParserConfig()
        self.parser: MarkdownIt = create_md_parser(self.config, RendererHTML)
        # Reading time is of no use here and costs a third of every parse.
        self.parser.disable("wordcount", ignoreInvalid=True)
        # Characters that start inline markup with this configuration: without them, no parse at all.
        inline = set("\\`*_~[]&<")
        if "dollarmath" in self.config.enable_extensions or "amsmath" in self.config.enable_extensions:
            inline |= {"$", "\\"}
        if "linkify" in self.config.enable_extensions or "gfm_autolink" in self.config.enable_extensions:
            inline |= {":", "@", "."}  # bare URLs and e-mail addresses become links
        if "substitution" in self.config.enable_extensions:
            inline |= {"{"}
        if "attrs_inline" in self.config.enable_extensions:
            inline |= {"{"}
        if self.config.enable_extensions & {"smartquotes", "replacements", "strikethrough"}:
            inline |= set("\"'-.()+!?~")
        self._inline_markup = frozenset(inline)
        # Characters that can start a block other than a paragraph at the start of a line: headings,
        # quotes, lists, rules, setext underlines, tables, fences, labels, comments, block breaks,
        # footnote and link definitions, definition lists, HTML, math and attribute blocks.
        self._block_starts = frozenset("#>-+*=:|(%~_[`<$\\{0123456789")
        self._cache: dict[str, Scan] = {}

    @classmethod
    def for_conf(cls, conf_py: Path) -> MystScanner:
        return cls(load_myst_config(conf_py))

    def scan(self, message: str) -> Scan:
        """Scan one message (cached: the same msgid recurs in every language)."""
        cached = self._cache.get(message)
        if cached is None:
            cached = self._scan_one_paragraph(message) or self._scan_tokens(self.parser.parse(message, {}))
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[message] = cached
        return cached

    def is_one_paragraph(self, message: str) -> bool:
        """True when markdown-it's block rules can only make one paragraph of ``message``."""
        if not message or "\r" in message or "\x00" in message:  # markdown-it rewrites those first
            return False
        for line in message.split("\n"):
            # Anything at the start of a line that could open a block other than a paragraph (or
            # continue one as a setext underline or a table), an empty line (a second paragraph),
            # or indentation (code) needs the block parser.
            if not line or line[0] in self._block_starts or line[0].isspace() or line[-1].isspace():
                return False
        return True

    def _scan_one_paragraph(self, message: str) -> Scan | None:
        """The scan of a message that can only be one paragraph, without the block parser; else None."""
        if not self.is_one_paragraph(message):
            return None
        if self._inline_markup.isdisjoint(message):  # plain text: no parser at all
            text = message.replace("\n", " ")
            return Scan(
                blocks=("paragraph",),
                text=text,
                substitutions=tuple(m["name"] for m in _SUBSTITUTION.finditer(text)),
                markup_text=text,
            )
        return self._scan_tokens(self.parser.parseInline(message, {}), blocks=("paragraph",))

    def _scan_tokens(self, tokens: list[Token], blocks: tuple[str, ...] | None = None) -> Scan:
        found = _Collector()
        block_names: list[str] = []
        for token in tokens:
            if blocks is None and token.level == 0 and token.nesting >= 0:
                block_names.append(_block_name(token))
            if token.type == "inline":
                self._scan_inline(token.children or [], found)
                found.text.append(" ")
            elif token.type == "html_block":
                found.html.append(token.content.strip())
                found.markup.append(token.content)
            elif token.type == "myst_target":
                found.labels.append(token.content.strip())
            elif token.type in ("math_block", "math_block_label", "amsmath"):
                found.math.append(token.content.strip())
            elif token.type in ("fence", "code_block", "colon_fence"):
                found.code.append(token.content)
            elif token.type == "substitution_block":
                found.substitutions.append(token.content.strip())
            elif token.type == "heading_open" and token.attrs.get("id"):
                found.labels.append(str(token.attrs["id"]))
        return Scan(
            blocks=blocks if blocks is not None else tuple(block_names),
            text="".join(found.text).strip(),
            links=tuple(found.links),
            images=tuple(found.images),
            roles=tuple(found.roles),
            footnotes=tuple(found.footnotes),
            substitutions=tuple(found.substitutions),
            labels=tuple(found.labels),
            code=tuple(found.code),
            math=tuple(found.math),
            html=tuple(found.html),
            markup_text="".join(found.markup),
        )

    def _scan_inline(self, children: list[Token], found: _Collector) -> None:
        autolink = False  # the text of <https://…> is its URL: not prose
        for token in children:
            kind = token.type
            if kind == "text":
                if autolink:
                    found.markup.append(token.content)
                else:
                    found.add_text(token.content)
            elif kind in ("softbreak", "hardbreak"):
                found.add_text(" ")
            elif kind == "code_inline":
                found.code.append(token.content)
            elif kind.startswith("math_inline") or kind == "math_single":
                found.math.append(token.content)
            elif kind == "link_open":
                found.links.append(str(token.attrs.get("href", "")))
                if token.markup == "autolink":
                    autolink = True
            elif kind == "link_close":
                autolink = False
            elif kind == "image":
                found.images.append(str(token.attrs.get("src", "")))
                found.text.append("\n")  # alt text is not read next to the words around it
                self._scan_inline(token.children or [], found)
                found.text.append("\n")
            elif kind == "myst_role":
                role = _role(token)
                found.roles.append(role)
                if role.name in LITERAL_ROLES:
                    (found.math if role.name == "math" else found.code).append(role.target)
                else:
                    found.text.append(role.text)
                    found.markup.append(role.text)
                    found.html += _HTML_TAG.findall(role.text)
            elif kind == "footnote_ref":
                found.footnotes.append(str(token.meta.get("label", "")))
            elif kind == "substitution_inline":
                found.substitutions.append(token.content.strip())
            elif kind == "html_inline":
                found.html.append(token.content)
                found.markup.append(token.content)
            elif kind.endswith(("_open", "_close")):
                if token.attrs.get("id"):
                    found.labels.append(str(token.attrs["id"]))
            elif token.children:
                self._scan_inline(token.children, found)


def _block_name(token: Token) -> str:
    if token.type in ("fence", "colon_fence"):
        info = token.info.strip()
        if info.startswith("{"):
            return f"directive {info.split('}', 1)[0]}}}"
        return "code block"
    return _BLOCK_NAMES.get(token.type, token.type.removesuffix("_open").replace("_", " "))


def _role(token: Token) -> Role:
    name = str(token.meta.get("name", ""))
    content = token.content
    source = f"{{{name}}}`{content}`"
    if name in TEXT_ROLES:
        return Role(name, "", content, source)
    if name in LITERAL_ROLES:
        return Role(name, content, "", source)
    match = _ROLE_TARGET.match(content)
    if match and match["text"].strip():
        return Role(name, match["target"].strip(), match["text"], source)
    return Role(name, content.strip(), content, source)


def load_myst_config(conf_py: Path) -> MdParserConfig:
    """The MyST configuration of a Sphinx project, read from the ``myst_*`` values of its conf.py."""
    from sphinx.config import eval_config_file
    from sphinx.errors import ConfigError
    from sphinx.util.tags import Tags

    try:
        namespace = eval_config_file(Path(conf_py).resolve(), Tags())
    except ConfigError as exc:
        raise GuideError(f"{conf_py}: cannot be read: {str(exc).strip().splitlines()[-1]}") from None
    values = {}
    for name, _, config_field in MdParserConfig().as_triple():
        if "sphinx" in config_field.metadata.get("omit", []):
            continue
        if f"myst_{name}" in namespace:
            values[name] = namespace[f"myst_{name}"]
    try:
        return MdParserConfig(**values)
    except (TypeError, ValueError) as exc:
        raise GuideError(f"{conf_py}: invalid MyST configuration: {exc}") from None
