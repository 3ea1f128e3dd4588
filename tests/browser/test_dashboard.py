"""The translation dashboard (``<lang>/status/``) draws a bar per language and per catalogue."""

from __future__ import annotations

import pytest

from .conftest import REGISTRY, Site

_BARS = """() => [...document.querySelectorAll(".guide-progress")].map((bar) => {
  const box = bar.getBoundingClientRect();
  const done = bar.querySelector(".guide-progress-translated");
  const doneBox = done.getBoundingClientRect();
  const row = bar.closest("tr");
  return {
    label: bar.getAttribute("aria-label"),
    row: row.querySelector("td").textContent.trim(),
    percentShown: parseFloat(row.querySelector("td.number").textContent),
    styled: parseFloat(done.style.width),
    width: box.width,
    height: box.height,
    doneWidth: doneBox.width,
    startGap: getComputedStyle(bar).direction === "rtl" ? box.right - doneBox.right : doneBox.left - box.left,
  };
})"""


@pytest.mark.parametrize("lang", REGISTRY.codes)
def test_dashboard_draws_a_bar_for_every_language_and_catalogue(page, site: Site, lang: str) -> None:
    status = site.html_root / lang / "status" / "index.html"
    if not status.is_file():
        pytest.skip(f"the built site has no translation dashboard ({status.relative_to(site.html_root)})")
    page.goto(f"{site.base_url}/{lang}/status/index.html")
    assert page.evaluate("document.documentElement.lang") == lang

    bars = page.evaluate(_BARS)
    languages = [bar for bar in bars if ".po" not in bar["row"]]
    for language in REGISTRY.translations:  # the source language is not translated: no bar
        assert any(bar["row"].endswith(f"({language.code})") for bar in languages), f"no bar for {language.code}"
    catalogues = [bar for bar in bars if ".po" in bar["row"]]
    assert catalogues, "no bar per catalogue"
    for bar in bars:
        assert bar["label"], bar
        assert bar["width"] > 40 and bar["height"] > 5, f"bar not drawn: {bar}"
        # The green part is as long as the share it stands for, and starts at the bar's start edge.
        assert bar["doneWidth"] == pytest.approx(bar["width"] * bar["styled"] / 100, abs=1.5), bar
        assert bar["startGap"] == pytest.approx(0, abs=1), bar
        assert bar["styled"] == pytest.approx(bar["percentShown"], abs=1), bar
