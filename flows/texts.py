"""The bot's own sentences (outside the guide's questions), as typed models.

Each field is one text in ``flows/content/<language>.toml``; a missing one is an
error at load time, so every language says everything.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(_Strict):
    """Every sentence the bot says outside the questions themselves."""

    welcome: str
    welcome_back: str
    begin: str
    not_now: str
    later: str
    tap_begin: str
    progress: str
    choices_hint: str
    text_hint: str
    current_answer: str
    done: str
    keep: str
    skip: str
    back: str
    card_title: str
    card_draft_title: str
    card_empty: str
    card_question: str
    card_complete: str
    confirm: str
    change: str
    discard: str
    change_which: str
    back_to_card: str
    saved: str
    discard_sure: str
    discard_yes: str
    discard_no: str
    discarded: str
    paused: str
    stopped_editing: str
    nothing_to_cancel: str
    draft_exists: str
    resume: str
    start_fresh: str
    in_progress: str
    stories_title: str
    stories_empty: str
    story_line: str
    to_list: str
    draft_marker: str
    untitled: str
    continue_story: str
    help: str
    language_prompt: str
    language_set: str
    media_not_supported: str
    empty_text: str
    stale_button: str
    invalid_button: str
    story_not_found: str
    private_only: str
    edit_saved: str
    edit_not_an_answer: str
    unknown_command: str
    idle_text: str
    no_such_option: str
    terminal_hint: str
    error: str
    goodbye: str


class Commands(_Strict):
    """The bot commands shown in Telegram's menu, with their descriptions."""

    start: str
    reflect: str
    stories: str
    language: str
    help: str
    cancel: str


class CheckinTexts(_Strict):
    """What the bot says around a check-in and the nudge that starts it."""

    card_title: str
    closing: str
    to_story: str
    later_today: str
    tomorrow: str
    skip_nudge: str
    snoozed_today: str
    snoozed_tomorrow: str
    skipped: str
    slowed_down: str
    stale_nudge: str
