"""The ``leerverhaal`` command: ``bot.cli`` imported with the cyclic garbage collector paused.

Importing the bot makes several hundred thousand objects (modules, classes, SQLAlchemy's
and pydantic's tables) that live as long as the process. Python's collector, run again
and again while they are made, examines them over and over: about 70 ms of a chat's
start (a sixth). Once imported they are frozen (``gc.freeze``: moved where no collection
looks) and collection resumes; ``leerverhaal run`` settles again once it has started
(``bot.memory.settle_memory``).
"""

from __future__ import annotations

import gc
import sys


def main() -> int:
    """Entry point of the ``leerverhaal`` command."""
    gc.disable()
    try:
        from bot.cli import main as command
    finally:
        gc.freeze()  # not collected at all: what importing made stays for good
        gc.enable()
    return command()


if __name__ == "__main__":
    sys.exit(main())
