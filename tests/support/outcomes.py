"""Reading an ``Outcome``: what it says and which buttons it shows."""

from __future__ import annotations

from flows.render import SELECTED
from flows.replies import Button, Outcome, Reply


def texts(outcome: Outcome | None) -> list[str]:
    """The text of each reply, in order."""
    assert outcome is not None, "the update was not handled"
    return [reply.text for reply in outcome.replies]


def all_text(outcome: Outcome | None) -> str:
    """Everything an outcome says, as one string: the replies, then the toast."""
    assert outcome is not None, "the update was not handled"
    return "\n".join([*texts(outcome), outcome.notice or ""])


def labels(reply: Reply) -> list[str]:
    return [b.label for row in reply.buttons for b in row]


def all_buttons(outcome: Outcome | None) -> list[Button]:
    assert outcome is not None, "the update was not handled"
    return [b for reply in outcome.replies for row in reply.buttons for b in row]


def find_button(outcome: Outcome | None, label: str) -> Button:
    """The one button with this label (a picked option matches without its tick)."""
    found = [b for b in all_buttons(outcome) if b.label == label or b.label == SELECTED + label]
    assert len(found) == 1, f"{len(found)} buttons labelled {label!r}: {all_buttons(outcome)}"
    return found[0]
