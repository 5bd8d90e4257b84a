"""Pausing Python's cyclic garbage collector while a large snapshot is read.

Reading 100k people's rollups makes millions of small objects that live on; each full
collection during the read walks all those made so far (about a third of the read's CPU
at 100k x 5k). Rows are freed by reference counting meanwhile; only cycles wait for the
collector's return. Pauses may overlap (one per thread): the collector comes back when
the last ends, and only if it was on when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_state = {"pauses": 0, "was_enabled": 0}


@contextmanager
def gc_paused() -> Iterator[None]:
    with _lock:
        if _state["pauses"] == 0:
            _state["was_enabled"] = int(gc.isenabled())
            gc.disable()
        _state["pauses"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["pauses"] -= 1
            if _state["pauses"] == 0 and _state["was_enabled"]:
                gc.enable()
