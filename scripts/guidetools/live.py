"""``nox -s live -- --lang L``: one language's website, rebuilt and reloaded in the browser on every save.

sphinx-autobuild does the serving and watching. On each change it runs ``python -m sphinx build``
with the guide's conf.py in a new process, so the toolchain's Sphinx extensions (the caches of
``fast_i18n`` among them) make each rebuild fast. This module gives it the guide's folders:

* the sources (``guide/``), the catalogues (``locales/``) and the templates are watched;
* compiled catalogues (``.mo``) are not. The build writes the ``.mo`` of a ``.po`` a translator
  saved. Watched, that write started a second rebuild and a second reload of the page after every
  save.

The benchmark (``guidetools.bench``) times the same Sphinx command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from guidetools import GuideError
from guidetools.project import Project

COMPILED_CATALOGUE = r"\.mo$"  # a regular expression, as sphinx-autobuild's --re-ignore takes


def live_dir(project: Project, lang: str) -> Path:
    return project.build_dir / "live" / lang


def sphinx_arguments(project: Project, lang: str) -> list[str]:
    """What sphinx-autobuild passes on to ``sphinx build`` for each rebuild."""
    return [str(project.source_dir), str(live_dir(project, lang)), "-D", f"language={lang}"]


def autobuild_arguments(project: Project, lang: str) -> list[str]:
    """The sphinx-autobuild command line (without the program name) previewing ``lang``."""
    watched = [project.locales_dir, project.templates_dir]
    return [
        *sphinx_arguments(project, lang),
        *(option for folder in watched for option in ("--watch", str(folder))),
        "--re-ignore",
        COMPILED_CATALOGUE,
    ]


def main(argv: list[str] | None = None) -> int:
    try:
        project = Project.find()
    except GuideError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    registry = project.registry
    parser = argparse.ArgumentParser(
        prog="nox -s live --",
        description="Preview one language at http://127.0.0.1:8000, rebuilt on every save.",
        epilog="Other options go to sphinx-autobuild, e.g. --port 8001 or --open-browser.",
    )
    parser.add_argument("--lang", default=registry.source, choices=registry.codes)
    args, extra = parser.parse_known_args(argv)
    from sphinx_autobuild.__main__ import main as autobuild  # the "live" dependency group

    autobuild([*autobuild_arguments(project, args.lang), *extra])
    return 0


if __name__ == "__main__":
    sys.exit(main())
