"""One sentence that reflects a saved story's pattern back, from the person's own picks
("You learned this mostly by doing and through feedback, together with a colleague."),
and a normalising line when they ticked doubting themselves. Words are content data."""

from __future__ import annotations

from flows.content.guide import Guide
from flows.states import StoryKind
from flows.views import StoryView

WAYS_NAMED = 2  # the first ways of learning the sentence names
SELF_DOUBT = "self_doubt"


def reflection(guide: Guide, story: StoryView) -> tuple[str, ...]:
    """The lines to add after "saved" (none for a check-in, or without any pick)."""
    if story.kind is not StoryKind.STORY:
        return ()
    words = guide.reflect
    lines: list[str] = []
    ways = [words.how[key] for key in story.answer("how").choices if key in words.how]
    if ways:
        how = f" {words.and_word} ".join(ways[:WAYS_NAMED])
        people = [words.who[key] for key in story.answer("who").choices if key in words.who]
        if people:
            lines.append(words.pattern_with.format(how=how, who=people[0]))
        else:
            lines.append(words.pattern.format(how=how))
    if SELF_DOUBT in story.answer("obstacles").choices:
        lines.append(words.self_doubt)
    return tuple(lines)
