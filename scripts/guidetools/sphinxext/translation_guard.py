"""Defence in depth for translated builds: what a msgstr says can never become markup, a hijacked
link or silently lost text, whether or not anybody ran ``guide check``.

Sphinx's ``Locale`` transform (priority 20) replaces each translatable node's children with its
parsed msgstr. Two transforms stand around it:

* ``RecordSourceTargets`` (priority 19) notes, for every translatable node, the link and image
  addresses and the math of the English text.
* ``GuardTranslations`` (priority 21) then looks at every node the translation replaced:

  - raw nodes (HTML) become plain text: readers see the markup, browsers never run it;
  - a link or image whose address has a scheme other than http, https or mailto loses its address;
  - a link or image whose address is not one of the English text's (nor a localized equivalent
    listed in ``locales/<lang>/check.toml``) loses its address: the words stay, the link goes;
  - math that is not the English text's math becomes literal text;

  and at every node whose msgstr Sphinx did not use because it parsed as another kind of block
  (Sphinx keeps the English without a word), it warns. Every warning names the catalogue and the
  line of the entry, ``locales/es/LC_MESSAGES/x.po:42``, so ``guide build`` fails with a message
  a translator can act on (warnings fail the build).

Sphinx's own ``i18n.inconsistent_references`` warnings are re-located to the catalogue entry too
(the source file and line are kept in the message).

Interface strings (``ui()`` in templates, from ``ui.po``) are inserted into pages by templates that
do not escape: the ``ui`` function given to templates is wrapped to return escaped text.
"""

from __future__ import annotations

import gettext
import logging
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from markupsafe import Markup, escape
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.i18n import parse_noqa
from sphinx.util import logging as sphinx_logging
from sphinx.util.i18n import docname_to_domain
from sphinx.util.nodes import LITERAL_TYPE_NODES, extract_messages, get_node_line, get_node_source

from guidetools import GuideError
from guidetools.check import SAFE_URL_SCHEMES, LanguageRules, load_language_rules
from guidetools.mystscan import MystScanner
from guidetools.pofast import read_entries
from guidetools.project import Project

logger = sphinx_logging.getLogger(__name__)

WARNING_TYPE = "guide"
WARNING_SUBTYPE = "translation"


# Catalogues: what Sphinx used (the compiled .mo), and where each entry is written (the .po) ------


@dataclass
class _CatalogueFiles:
    po: list[Path] = field(default_factory=list)  # highest priority first, as Sphinx merges them
    messages: dict[str, str] = field(default_factory=dict)


_mo_cache: dict[Path, tuple[float, dict[str, str]]] = {}
_po_lines: dict[Path, tuple[float, dict[str, int]]] = {}


def _mo_messages(path: Path) -> dict[str, str]:
    mtime = path.stat().st_mtime
    cached = _mo_cache.get(path)
    if cached is None or cached[0] != mtime:
        with path.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog  # the mapping Sphinx's Locale reads
        cached = _mo_cache[path] = (mtime, {key: value for key, value in catalogue.items() if isinstance(key, str)})
    return cached[1]


def _po_line(path: Path, msgid: str) -> int | None:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cached = _po_lines.get(path)
    if cached is None or cached[0] != mtime:
        try:
            entries = read_entries(path.read_text(encoding="utf-8")) or []
        except (OSError, UnicodeDecodeError):
            entries = []
        # the same line `guide check` reports for the entry
        lines = {entry.msgid: entry.line for entry in entries if not entry.obsolete}
        cached = _po_lines[path] = (mtime, lines)
    return cached[1].get(msgid)


def _catalogue_files(app: Sphinx, docname: str) -> _CatalogueFiles:
    found = _CatalogueFiles()
    if not app.config.language or not app.config.locale_dirs:
        return found
    domain = docname_to_domain(docname, app.config.gettext_compact)
    merged: dict[str, str] = {}
    for directory in reversed(app.config.locale_dirs):  # the first directory has the last word
        folder = Path(app.srcdir, directory, app.config.language, "LC_MESSAGES")
        po, mo = folder / f"{domain}.po", folder / f"{domain}.mo"
        if po.is_file():
            found.po.insert(0, po)
        if mo.is_file():
            merged |= _mo_messages(mo)
    found.messages = merged
    return found


def catalogue_location(app: Sphinx, docname: str, msgid: str) -> str | None:
    """``path/to/x.po:line`` of the entry translating ``msgid`` in ``docname``'s catalogue."""
    for po in _catalogue_files(app, docname).po:
        line = _po_line(po, msgid)
        if line is not None:
            return f"{po}:{line}"
    return None


# The transforms ----------------------------------------------------------------------------------


def _targets(node: nodes.Element) -> tuple[set[str], set[str]]:
    urls = {ref["refuri"] for ref in node.findall(nodes.reference) if "refuri" in ref}
    urls |= {image["uri"] for image in node.findall(nodes.image) if "uri" in image}
    maths = {math.astext() for math in node.findall(nodes.math)}
    return urls, maths


class RecordSourceTargets(SphinxTransform):
    """Before translation: remember the addresses and math of each translatable node's English text."""

    default_priority = 19

    def apply(self, **kwargs) -> None:
        if not self.config.language or self.config.language == _source_language(self.env._app):
            return
        self.document._guide_source_targets = {
            id(node): _targets(node) for node, _ in extract_messages(self.document) if isinstance(node, nodes.Element)
        }


class GuardTranslations(SphinxTransform):
    """After translation: neutralise markup and addresses that came from a msgstr, and warn."""

    default_priority = 21

    def apply(self, **kwargs) -> None:
        recorded = self.document.__dict__.pop("_guide_source_targets", None)
        if recorded is None:
            return
        docname = self.env.current_document.docname
        files = _catalogue_files(self.env._app, docname)
        if not files.messages:
            return
        guard = _guard(self.env._app)
        for node, msgid in extract_messages(self.document):
            if not isinstance(node, nodes.Element) or isinstance(
                node, (addnodes.translatable, nodes.meta, nodes.image, *LITERAL_TYPE_NODES)
            ):
                continue
            msgstr = files.messages.get(msgid, "")
            msgstr, _ = parse_noqa(msgstr)
            if not msgstr.strip() or msgstr == msgid:
                continue
            where = _Where(self.env._app, docname, node, msgid)
            if node.get("translated"):
                urls, maths = recorded.get(id(node), (set(), set()))
                guard.neutralise(node, urls, maths, where)
                guard.warn_partly_used(msgid, msgstr, where)
            else:
                guard.warn_unused(msgid, msgstr, where)


@dataclass
class _Where:
    app: Sphinx
    docname: str
    node: nodes.Element
    msgid: str

    def location(self) -> str:
        return catalogue_location(self.app, self.docname, self.msgid) or _node_location(self.node)

    def source(self) -> str:
        return _node_location(self.node)


def _node_location(node: nodes.Node) -> str:
    try:
        return f"{get_node_source(node)}:{get_node_line(node)}"
    except ValueError:
        return "<unknown>"


class _Guard:
    def __init__(self, app: Sphinx, scanner: MystScanner, rules: LanguageRules | None) -> None:
        self.app = app
        self.scanner = scanner
        self.rules = rules

    def _warn(self, where: _Where, message: str) -> None:
        _remember_problem(self.app.env, where.docname)
        logger.warning(
            "%s (source: %s)",
            message,
            _shorten(where.source(), self.app),
            location=where.location(),
            type=WARNING_TYPE,
            subtype=WARNING_SUBTYPE,
        )

    def _allowed(self, url: str, source_urls: set[str]) -> bool:
        if url in source_urls:
            return True
        return self.rules is not None and any(self.rules.url_equivalent(source, url) for source in source_urls)

    def neutralise(self, node: nodes.Element, source_urls: set[str], source_maths: set[str], where: _Where) -> None:
        raws = list(node.findall(nodes.raw))
        for raw in raws:
            raw.replace_self(nodes.Text(raw.astext()))
        if raws:
            shown = _shorten_text(" ".join(raw.astext() for raw in raws))
            self._warn(where, f"raw markup in the translation was shown as text, not passed to the page: {shown}")
        for reference in list(node.findall(nodes.reference)):
            url = reference.get("refuri")
            if url is None:
                continue
            scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
            if scheme and scheme not in SAFE_URL_SCHEMES:
                reason = f"a {scheme}: link"
            elif not self._allowed(url, source_urls):
                reason = f"link to {url}, which is not the source's link"
            else:
                continue
            reference.replace_self(nodes.inline("", "", *reference.children))
            self._warn(where, f"the translation has {reason}; the link was removed")
        for image in list(node.findall(nodes.image)):
            url = image.get("uri", "")
            if not self._allowed(url, source_urls):
                image.replace_self(nodes.Text(image.get("alt", "")))
                self._warn(where, f"the translation has an image {url} that is not in the source; it was removed")
        for math in list(node.findall(nodes.math)):
            if math.astext() not in source_maths:
                math.replace_self(nodes.literal(math.astext(), math.astext()))
                self._warn(where, "the translation changed the math; it is shown as plain text")

    def warn_partly_used(self, msgid: str, msgstr: str, where: _Where) -> None:
        if self.scanner.is_one_paragraph(msgstr):
            return  # it cannot hold more blocks than its (non-empty) source: no need to parse it
        source_blocks = self.scanner.scan(msgid).blocks
        translated_blocks = self.scanner.scan(msgstr).blocks
        if len(translated_blocks) > len(source_blocks):
            self._warn(
                where,
                f"only the start of the translation was used: it is read as {_describe(translated_blocks)}, "
                f"the source as {_describe(source_blocks)}; keep the translation in one block",
            )

    def warn_unused(self, msgid: str, msgstr: str, where: _Where) -> None:
        source_blocks = self.scanner.scan(msgid).blocks
        translated_blocks = self.scanner.scan(msgstr).blocks
        if source_blocks != translated_blocks:
            reason = f"it is read as {_describe(translated_blocks)}, the source as {_describe(source_blocks)}"
        else:
            reason = f"Sphinx cannot use it as a {where.node.tagname}"
        self._warn(where, f"translation not used, the English text was kept: {reason}; run `guide check` for details")


def _shorten_text(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(blocks: tuple[str, ...]) -> str:
    if not blocks:
        return "empty"
    if len(blocks) == 1:
        return f"a {blocks[0]}"
    return f"{len(blocks)} blocks ({', '.join(blocks)})"


def _shorten(location: str, app: Sphinx) -> str:
    root = str(Path(app.confdir).resolve().parent) + "/"
    return location.removeprefix(root)


def _source_language(app: Sphinx) -> str:
    registry = getattr(app, "guide_registry", None)
    return registry.source if registry is not None else "en"


def _guard(app: Sphinx) -> _Guard:
    guard = getattr(app, "_guide_translation_guard", None)
    if guard is None:
        from myst_parser.config.main import MdParserConfig

        config = getattr(app.env, "myst_config", None) or MdParserConfig()
        scanner = MystScanner(config)
        root = Path(app.confdir).resolve().parent
        try:
            rules = load_language_rules(Project(root), app.config.language, scanner.parser.normalizeLink)
        except GuideError as exc:
            logger.warning("%s", exc, type=WARNING_TYPE, subtype=WARNING_SUBTYPE)
            rules = None
        guard = app._guide_translation_guard = _Guard(app, scanner, rules)
    return guard


# Sphinx's inconsistent-reference warnings, located in the catalogue -------------------------------


class _LocateInCatalogue(logging.Filter):
    """Moves ``i18n.inconsistent_references`` warnings from the source paragraph to the .po entry."""

    app: Sphinx | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        app = self.app
        node = getattr(record, "location", None)
        if (
            app is None
            or getattr(record, "type", None) != "i18n"
            or getattr(record, "subtype", None) != "inconsistent_references"
            or not isinstance(node, nodes.Element)
        ):
            return True
        msgid = next((msg for candidate, msg in extract_messages(node) if candidate is node), None)
        docname = app.env.current_document.docname if app.env else None
        where = catalogue_location(app, docname, msgid) if msgid and docname else None
        if docname:
            _remember_problem(app.env, docname)
        if where:
            record.msg = f"{record.getMessage()} (source: {_shorten(_node_location(node), app)})"
            record.args = ()
            record.location = where
        return True


_locator = _LocateInCatalogue()


def _start(app: Sphinx) -> None:
    _locator.app = app
    i18n_logger = logging.getLogger(sphinx_logging.NAMESPACE + ".sphinx.transforms.i18n")
    if _locator not in i18n_logger.filters:
        i18n_logger.addFilter(_locator)
    _escape_interface_strings(app)


def _finish(app: Sphinx, exception: Exception | None) -> None:
    if _locator.app is app:
        _locator.app = None


# Interface strings ---------------------------------------------------------------------------------


def _escape_interface_strings(app: Sphinx) -> None:
    ui = getattr(app, "guide_ui", None)
    if ui is None or getattr(ui, "escapes_html", False):
        return

    def escaped_ui(msgid: str, **values: object) -> Markup:
        return escape(ui(msgid, **values))

    escaped_ui.escapes_html = True
    app.guide_ui = escaped_ui


# Problems stay problems on the next build ----------------------------------------------------------
# Sphinx re-reads only changed documents, so a warning would vanish from a rebuild that changes
# nothing, and that build would pass. Documents whose translation had a problem are re-read (and
# warn again) on every build until their catalogue is fixed.


def _problems(env) -> set[str]:
    if not hasattr(env, "guide_translation_problems"):
        env.guide_translation_problems = set()
    return env.guide_translation_problems


def _remember_problem(env, docname: str) -> None:
    _problems(env).add(docname)


def _forget_problems(app: Sphinx, env, docname: str) -> None:
    _problems(env).discard(docname)


def _merge_problems(app: Sphinx, env, docnames: set[str], other) -> None:
    _problems(env).update(_problems(other) & set(docnames))


def _reread_problems(app: Sphinx, env, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    return sorted(_problems(env) - set(removed) - set(added) - set(changed))


def setup(app: Sphinx) -> None:
    app.add_transform(RecordSourceTargets)
    app.add_transform(GuardTranslations)
    app.connect("env-purge-doc", _forget_problems)
    app.connect("env-merge-info", _merge_problems)
    app.connect("env-get-outdated", _reread_problems)
    app.connect("builder-inited", _start)
    app.connect("build-finished", _finish)
