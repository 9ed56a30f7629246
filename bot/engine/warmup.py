"""Slow one-time work done in a worker thread, off the event loop.

The place index (``flows.checkins.places.load_index``: about 1.5 s, about 100 MB) is built the
first time a step needs it: the runner's transaction is rolled back, the index built
here, and the step run again, so no transaction holds SQLite's write lock meanwhile.
Not at start-up: most processes never need it, and it would double their memory.
"""

from __future__ import annotations

import asyncio
import logging

from flows.checkins.places import load_index

log = logging.getLogger(__name__)


async def warm_up() -> None:
    """Build the place index in a worker thread; cheap once built, safe to call again.

    A failure is raised: the step that needed the index fails like any other error.
    """
    log.info("building the place index")
    await asyncio.to_thread(load_index)
