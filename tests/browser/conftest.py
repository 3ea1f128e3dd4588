"""The reader's site in a real browser: the real guide, built once per session, served on 127.0.0.1.

Every test in this folder is marked ``browser``. They need Debian's Chromium (``/usr/bin/chromium``,
or ``$GUIDE_CHROMIUM``) and Playwright's Python package; without either they are skipped with the
reason. Playwright never downloads a browser here: it drives the system Chromium.

The site is built from a private copy of the repository (sources, catalogues, templates) into a
temporary folder, in every language of the registry, with the PDF editions too when ``guide build``
offers ``--format pdf`` (so the download links exist), and served by ``http.server`` in a thread on
a free port: pages are read over HTTP as readers get them, never from ``file://``.

While working on the tests themselves, ``GUIDE_BROWSER_SITE=/path/to/a/copy`` serves a copy that
was already built (``guide --root /path/to/a/copy build``) instead of building one.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from guidetools.languages import load_registry
from guidetools.project import Project

HERE = Path(__file__).parent
REPO = HERE.parent.parent
REGISTRY = load_registry(REPO / "locales" / "languages.toml")
CHROMIUM = Path(os.environ.get("GUIDE_CHROMIUM", "/usr/bin/chromium"))
# Flags for Chromium in a container without a display, as root, on a machine with no outside network:
# without the background-networking ones Chromium keeps trying (and failing) to reach Google's hosts.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "_build" / "test-artifacts" / "screenshots"
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 800}


def _why_no_browser() -> str | None:
    if not CHROMIUM.is_file():
        return f"Chromium is not installed ({CHROMIUM} is missing): apt-get install chromium chromium-driver"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed: pip install playwright (dependency group 'browser')"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _why_no_browser()
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# The site -----------------------------------------------------------------------------------------


@dataclass
class Site:
    """The built guide, served over HTTP; the server records every request it could not answer."""

    project: Project
    base_url: str
    missing: list[str] = field(default_factory=list)

    @property
    def html_root(self) -> Path:
        return self.project.build_dir / "html"

    def url(self, lang: str, page: str = "index", anchor: str = "") -> str:
        return f"{self.base_url}/{lang}/{page}.html" + (f"#{anchor}" if anchor else "")

    def path(self, url: str) -> str:
        """The part of a URL of this site after the host: ``/ar/index.html``."""
        assert url.startswith(self.base_url), url
        return url[len(self.base_url) :].split("#")[0].split("?")[0]


def _build_formats() -> list[str]:
    """The editions ``guide build --format`` can make today (the PDF edition is being added)."""
    from guidetools.cli import build_parser

    parser = build_parser()
    commands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    build = commands.choices["build"]
    formats = next(action for action in build._actions if "--format" in action.option_strings)
    return list(formats.choices)


def _build_site(root: Path) -> Project:
    from guidetools.build import build_html
    from guidetools.cli import main

    project = Project(root)
    if "pdf" in _build_formats():
        # Through the command, so the PDFs land where the HTML edition links to them.
        status = main(["--root", str(root), "--quiet", "build", "--format", "pdf", "--format", "html"])
        assert status == 0, "guide build --format pdf --format html failed (its output is above)"
    else:
        results = build_html(project, project.registry.codes)
        problems = [str(problem) for result in results for problem in result.problems]
        assert problems == [], problems
    return project


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, missing: list[str], **kwargs) -> None:
        self._missing = missing
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Browsers ask for /favicon.ico on their own; the site does not link to one.
        if self.path != "/favicon.ico":
            self._missing.append(f"{code} {self.path}")
        super().send_error(code, message, explain)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The real guide in every language, built from a copy of the repository and served on 127.0.0.1."""
    if os.environ.get("GUIDE_BROWSER_SITE"):
        project = Project(Path(os.environ["GUIDE_BROWSER_SITE"]).resolve())
    else:
        root = tmp_path_factory.mktemp("browser") / "repo"
        shutil.copytree(
            REPO,
            root,
            ignore=shutil.ignore_patterns(
                "_build", ".git", ".nox", "dist", "node_modules", "*.mo", "__pycache__", "tests", ".*_cache"
            ),
        )
        project = _build_site(root)
    missing: list[str] = []
    handler = functools.partial(_QuietHandler, directory=str(project.build_dir / "html"), missing=missing)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="guide-site", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield Site(project, f"http://{host}:{port}", missing)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# The browser --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site: Site) -> Iterator:
    """A fresh tab (1280 by 900 pixels) in a fresh profile; fails the test on a script error or a missing file."""
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(f"{tab.url}: {error}"))
    missing_before = len(site.missing)
    yield tab
    context.close()
    assert script_errors == [], "the page raised script errors"
    assert site.missing[missing_before:] == [], "the page asked the server for files that do not exist"


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci --prefix tests/browser` (nox -s browser does)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def screenshot(tab, name: str) -> Path:
    """Save a full-page screenshot as a test artifact (looked at by people, not compared by tests)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path
