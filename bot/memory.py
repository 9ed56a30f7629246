"""The garbage collector in a long-running process (see ``bot.launch`` for start-up)."""

from __future__ import annotations

import gc


def settle_memory() -> None:
    """Once a long-running process has started: collect what start-up left over (import
    garbage frozen by ``bot.launch`` included), then freeze what remains, so that later
    collections look only at objects made since."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
