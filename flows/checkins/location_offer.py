"""A location shared outside /settings: not an answer, but a place for the check-ins.

A person who shares their location in the middle of a story (or any time /settings is
not asking for it) is told kindly that it cannot answer a question, and offered to use
it for their check-ins. The button names the place found there and sets it as a place
tapped on the settings page would (``checkin_settings``); the question that was open is
shown again, now and after the tap (``flows.dialogue``).
"""

from __future__ import annotations

from flows.checkins.messages import place_data
from flows.checkins.settings import place_at
from flows.events import Location
from flows.replies import Button, Outcome, Reply
from flows.turn import IN_STORY, Turn, where_we_are


def offer(turn: Turn, location: Location) -> Outcome:
    """Offer to time the check-ins from this place, then the open question again."""
    again = where_we_are(turn) if turn.state.step in IN_STORY else ()
    place = place_at(location.latitude, location.longitude)
    if place is None:  # at sea: nothing to offer
        return turn.outcome(None, Reply(turn.guide.texts.media_not_supported), *again)
    texts = turn.guide.settings
    button = Button(texts.location_use.format(place=place.name), place_data(place))
    return turn.outcome(None, Reply(texts.location_offer, ((button,),)), *again)
