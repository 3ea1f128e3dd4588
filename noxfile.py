"""Tasks for authors, translators and maintainers: run `nox -l` for the menu."""

from __future__ import annotations

import os
from pathlib import Path

import nox

PYPROJECT = nox.project.load_toml("pyproject.toml")
CHROMIUM = Path(os.environ.get("GUIDE_CHROMIUM", "/usr/bin/chromium"))  # Debian's; the browser tests drive it

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["build", "tests", "lint"]
nox.options.reuse_venv = "yes"


def install(session: nox.Session, *groups: str) -> None:
    """Install the toolchain (editable) and the named dependency groups from pyproject.toml."""
    session.install("-e", ".")
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group))


@nox.session
def build(session: nox.Session) -> None:
    """Build every edition of every language into _build/ (pass --lang CODE to narrow)."""
    install(session)
    session.run("guide", "build", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pytest arguments after --); the browser tests too when Chromium is installed."""
    install(session, "test", "browser", "live")
    if CHROMIUM.is_file():
        install_browser_scripts(session)
    session.run("pytest", *session.posargs)


@nox.session(default=False)
def browser(session: nox.Session) -> None:
    """Test the built site in headless Chromium: switcher, search, right-to-left, downloads, accessibility."""
    if not CHROMIUM.is_file():
        session.error(f"{CHROMIUM} is missing: apt-get install chromium chromium-driver")
    install(session, "browser")
    install_browser_scripts(session)
    session.run("pytest", "-m", "browser", "tests/browser", *session.posargs)


def install_browser_scripts(session: nox.Session) -> None:
    """axe-core, injected into pages by the accessibility tests, as pinned in tests/browser/package-lock.json."""
    session.run("npm", "ci", "--prefix", "tests/browser", "--no-audit", "--no-fund", external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """Check code style with ruff."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", "scripts", "tests", "noxfile.py", "guide/conf.py")
    session.run("ruff", "format", "--check", "--diff", "scripts", "tests", "noxfile.py", "guide/conf.py")


@nox.session
def check(session: nox.Session) -> None:
    """Check every translation catalogue: markup, links, HTML, glossary (guide check arguments after --)."""
    install(session)
    session.run("guide", "check", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Time guide build against plain sphinx-build and sphinx-simplepdf on a generated guide (-- --help)."""
    install(session, "bench")
    session.run("python", "-m", "guidetools.bench", *session.posargs)


@nox.session(default=False)
def update(session: nox.Session) -> None:
    """Update every language's catalogues from the sources (guide update options after --)."""
    install(session)
    session.run("guide", "update", *session.posargs)


@nox.session(default=False)
def status(session: nox.Session) -> None:
    """Show translation progress per language and chapter (guide status options after --)."""
    install(session)
    session.run("guide", "status", *session.posargs)


@nox.session(default=False)
def release(session: nox.Session) -> None:
    """Cut a reproducible release into dist/<version>/ (guide release options after --)."""
    install(session)
    session.run("guide", "release", *session.posargs)


@nox.session(default=False)
def languages(session: nox.Session) -> None:
    """Print the language registry (--format json or github-matrix for CI)."""
    install(session)
    session.run("guide", "languages", *session.posargs)


@nox.session(default=False)
def live(session: nox.Session) -> None:
    """Preview one language with live reload: nox -s live -- --lang es."""
    install(session, "live")
    session.run("python", "-m", "guidetools.live", *session.posargs)
