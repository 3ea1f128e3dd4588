"""WeasyPrint's access to resources, limited to the build tree.

A print edition is made from files the build wrote (HTML, CSS, fonts, figures). Anything else a
page might point to — an image on the web in a translation, a ``file:`` URL to someone's home
folder — would make the PDF depend on the network or on the machine, or leak a local file into a
published document. ``SandboxedFetcher`` serves ``data:`` URLs and files under one folder, and
refuses everything else so that the build fails, naming the reference.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import URLFetcher
from weasyprint.urls import FatalURLFetchingError


class FetchRefused(FatalURLFetchingError):
    """A resource outside the build tree (or on the network) was requested."""


class SandboxedFetcher(URLFetcher):
    def __init__(self, root: Path) -> None:
        # Fail on errors: a missing figure must fail the build, not leave a hole in the PDF.
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True)
        self.root = root.resolve()
        self.refused: list[str] = []

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return True
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        # resolve() follows symbolic links: a link inside the tree pointing outside is refused too.
        path = Path(unquote(parts.path)).resolve()
        return path.is_relative_to(self.root)

    def fetch(self, url, headers=None):
        if not self.allows(url):
            self.refused.append(url)
            raise FetchRefused(
                f"{url}: refused; the print edition may only use files inside {self.root} and data: URLs"
            )
        return super().fetch(url, headers)
