"""Fewer runs of Python's cyclic garbage collector while a build runs.

Why this exists
---------------
A Sphinx build and a WeasyPrint layout make millions of container objects (doctree nodes, CSS
boxes, the little document of each translated message). Many of them are in reference cycles
(every docutils node points at its parent), so only the cyclic collector frees them. With
CPython's default thresholds, (700, 10, 10), it runs a full collection, which walks every live
object, each time the older objects have grown by a quarter. Measured on the generated 20-chapter
guide (Python 3.11, the callback in ``gc.callbacks`` timing each collection):

* a cold English HTML build spent 2.0 to 2.5 s of its 8 to 11 s in the collector, a Spanish one
  3.6 to 4.3 s of 13 to 17 s: the translated build makes far more short-lived documents, so the
  collector widened the gap between them;
* a cold English PDF build spent 22 to 27 s of its 150 to 180 s of CPU in the collector, nine tenths of
  it in the full collections of the two layout helpers.

With the thresholds below, while Sphinx runs: 0.7 s (English HTML), 1.3 to 1.4 s (Spanish HTML).
The price is memory, as garbage in cycles lives longer between collections: 115 → 132 MB
(English) and 120 → 142 MB (Spanish), against the 400 MB a language may use.

Laying out PDFs in the language's own process (several languages, one core each), the same
thresholds took the process from 312 to 465 MB: each laid-out document (about 2 MB a page) became
garbage in the oldest generation and waited for a full collection. So the layout keeps CPython's
thresholds and freezes instead (``frozen_heap``): after one collection, everything alive before
the layout (Sphinx, WeasyPrint, fonts: most of the process) is moved out of the collector's
sight, and a full collection walks only what the layout made. Measured, English, one process:
42.8 → 20.4 s in the collector, 190 → 165 s of CPU, 312 → 291 MB. Layout helper processes,
which hold nothing but WeasyPrint and one document at a time, use the build thresholds: 22 to
27 s → 13 s in the collector for both, largest process 288 → 276 to 295 MB (docs/performance.md,
section 12).

Nothing else changes: what is freed is the same, only later. The thresholds and the freeze apply
while a build runs, and the caller's settings are put back afterwards, so a program that imports
the toolchain (the tests, the live preview) keeps its own.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# A young-generation collection every 20,000 new container objects instead of 700; an older one
# every 20 of those instead of 10 (and CPython's own rule still waits for the long-lived objects to
# grow by a quarter before a full collection).
BUILD_THRESHOLDS = (20_000, 20, 20)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with ``BUILD_THRESHOLDS``; put the previous thresholds back afterwards."""
    previous = gc.get_threshold()
    gc.set_threshold(*BUILD_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Run the block with everything alive before it out of the collector's sight; thaw it afterwards."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def for_this_process() -> None:
    """Use ``BUILD_THRESHOLDS`` until the process ends (a helper process that only lays out PDFs)."""
    gc.set_threshold(*BUILD_THRESHOLDS)
