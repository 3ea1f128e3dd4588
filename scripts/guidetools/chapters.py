"""Create chapters from the template and keep the root toctree in step."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from guidetools import GuideError
from guidetools.project import Project, write_text_atomic

CHAPTER_TEMPLATE = "chapter.md"
# Back matter stays last: new chapters go before the first of these in the toctree.
BACK_MATTER = ("glossary", "references")
_TOCTREE_OPEN_RE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{toctree\}")


def slugify(title: str) -> str:
    """ASCII, lowercase, hyphen-separated: "Access to Medicines!" -> "access-to-medicines"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if not slug:
        raise GuideError(f"cannot make a file name from the title {title!r}; use Latin letters or digits in it")
    return slug


def render_chapter(project: Project, title: str, slug: str, today: dt.date) -> str:
    env = Environment(
        loader=FileSystemLoader(project.templates_dir),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML
    )
    return env.get_template(CHAPTER_TEMPLATE).render(title=title, slug=slug, month=today.strftime("%Y-%m"))


def add_to_toctree(index_text: str, slug: str, index_name: str = "index.md") -> str:
    """Insert ``slug`` into the first toctree of the root document, before the back matter."""
    lines = index_text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _TOCTREE_OPEN_RE.match(line)), None)
    if start is None:
        raise GuideError(f"guide/{index_name}: no toctree found to add the chapter to")
    fence = _TOCTREE_OPEN_RE.match(lines[start])["fence"]
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == fence), None)
    if end is None:
        raise GuideError(f"guide/{index_name}:{start + 1}: the toctree is not closed with {fence}")
    entries = [i for i in range(start + 1, end) if lines[i].strip() and not lines[i].lstrip().startswith(":")]
    if any(lines[i].strip() == slug for i in entries):
        return index_text
    position = next((i for i in entries if lines[i].strip() in BACK_MATTER), end)
    lines.insert(position, f"{slug}\n")
    return "".join(lines)


def new_chapter(project: Project, title: str, *, today: dt.date | None = None) -> Path:
    """Create ``guide/<slug>.md`` from ``_templates/chapter.md`` and list it in the toctree."""
    title = title.strip()
    if not title:
        raise GuideError("the chapter title is empty")
    slug = slugify(title)
    path = project.source_dir / f"{slug}.md"
    if path.exists():
        raise GuideError(f"guide/{path.name} already exists; choose another title or edit that chapter")
    index = project.source_dir / "index.md"
    new_index = add_to_toctree(index.read_text(encoding="utf-8"), slug)
    text = render_chapter(project, title, slug, today or dt.date.today())
    # Exclusive creation: a chapter written meanwhile by someone else is never overwritten.
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise GuideError(f"guide/{path.name} already exists; choose another title or edit that chapter") from None
    write_text_atomic(index, new_index)
    return path
