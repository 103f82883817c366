"""The cyclic garbage collector, paused while bulk work builds what the audit keeps.

Building the graph, for one, allocates an edge dict (and a list of declarations) per use and
per dependency edge, hundreds of thousands at organization scale, and frees none of them; each
collection the allocations trigger meanwhile walks the whole heap (the collection's records
included) and finds nothing, which at 1,000 repositories cost as much as the building itself.
Such code makes no reference cycles, so pausing the collector frees nothing later than it would.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc(lasting: bool = False) -> Iterator[None]:
    """No cyclic collection inside; as before afterwards (nested pauses keep it paused).

    ``lasting``: what was made inside lives on (a report document, say), so it goes to the
    oldest generation unscanned (``gc.freeze`` then ``gc.unfreeze``), where the collector
    would move it only after scanning it twice; not when something else froze objects.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if lasting and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
