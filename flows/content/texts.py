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
    about: str  # above a question after the first: what the story is about
    words_added: str  # typed words under a quick-pick question: the question stays open
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
    stories_page: str
    stories_newer: str
    stories_older: str
    stories_empty: str
    stories_only_title: str
    stories_only_empty: str
    stories_only: str
    stories_all: str
    story_line: str
    kind_story: str
    kind_checkin: str
    to_list: str
    draft_marker: str
    untitled: str
    help: str
    language_prompt: str
    language_set: str
    language_first: str  # at first contact, shown in every language at once
    media_not_supported: str
    empty_text: str
    stale_button: str
    invalid_button: str
    story_not_found: str
    private_only: str
    edit_saved: str
    answer_continued: str
    edit_not_an_answer: str
    unknown_command: str
    no_such_option: str
    terminal_hint: str
    error: str
    goodbye: str
    goodbye_forgotten: str


class ReflectTexts(_Strict):
    """The sentence that reflects a story's pattern back, and the normalising line.

    ``how`` and ``who`` word each option of those questions inside the sentence; the
    guide checks that every option the questions offer has its words.
    """

    pattern: str  # {how}
    pattern_with: str  # {how}, {who}
    and_word: str
    self_doubt: str
    how: dict[str, str]
    who: dict[str, str]


class NextStepTexts(_Strict):
    """The learning menu's next step: the matched suggestion, ordering, the follow-up."""

    suggestion: str  # {dish}: the dish's line from the card
    order: str
    something_else: str
    not_now: str
    not_now_done: str
    choose: str  # under /menu: choose a dish to order
    choose_prompt: str
    own_prompt: str
    own_too_long: str  # {limit}
    when_prompt: str  # {step}
    this_week: str
    this_month: str
    no_date: str
    ordered: str  # {step}, {when}
    when_week: str
    when_month: str
    when_none: str
    tap_a_button: str
    passed: str
    follow_up: str  # {step}
    did_it: str
    not_yet: str
    not_for_me: str
    did_it_done: str  # {step}
    not_yet_prompt: str  # {step}
    keep: str
    choose_another: str
    kept: str  # {step}
    not_for_me_done: str  # {step}
    file_title: str  # in /export
    file_line: str  # {date}, {step}, {when}, {status}
    status_open: str
    status_done: str
    status_not_for_me: str
    status_let_go: str
    status_replaced: str
    share_question: str
    share_yes: str
    share_no: str
    shared: str
    kept_private: str
    stop_sharing: str
    file_shared: str


class ThanksTexts(_Strict):
    """After "what or who helped you most": a thank-you note the person passes on themselves.

    ``notes`` has a note per option of the "who" question (the first one picked that has a
    note is used); ``note`` is for everyone else. The guide checks the option keys.
    """

    offer: str
    yes: str
    no: str
    declined: str
    intro: str
    share: str
    note: str
    notes: dict[str, str]


class Commands(_Strict):
    """The bot commands shown in Telegram's menu, with their descriptions."""

    start: str
    reflect: str
    stories: str
    language: str
    help: str
    checkin: str
    settings: str
    pause: str
    resume: str
    privacy: str
    export: str
    forget: str
    team: str
    menu: str
    growth: str
    pair: str
    cancel: str


class CheckinTexts(_Strict):
    """What the bot says around a check-in and the check-in that starts it."""

    card_title: str
    closing: str
    to_story: str
    later_today: str
    tomorrow: str
    skip_checkin: str
    snoozed: str  # {when}: when_later_today, when_tomorrow or when_day
    snoozed_too_late: str  # a "later today" pressed when today has no allowed time left
    when_later_today: str
    when_tomorrow: str
    when_day: str
    reminder: str  # above a check-in asked again because its sending was not recorded
    skipped: str
    slowed_down: str
    stale_checkin: str
    checkin_greeting: str  # above a check-in's question
    checkin_hint: str  # below it: typing the answer is all it takes
    checkin_answered: str  # a check-in's button pressed after it was answered
    nothing: str  # the button under a check-in's first question: nothing went better
    nothing_thanks: str  # after "nothing": kind words, then the optional question
    through_done: str  # the button that leaves the optional question unanswered
    through_saved: str
    nothing_closing: str


class SettingsTexts(_Strict):
    """What the bot says while a person sets up, pauses or resumes check-ins."""

    offer: str
    set_up: str
    no_thanks: str
    menu: str
    summary: str  # the settings in /export: {zone}, no local time now
    menu_not_set: str
    zone_button: str
    rhythm_button: str
    day_button: str
    time_button: str
    weekend_button: str
    close_button: str
    zone_prompt: str
    zone_pick: str
    zone_not_found: str
    location_unknown: str
    location_offer: str  # a location shared outside /settings
    location_use: str
    zone_set: str
    moved: str
    reflect_on_move: str
    rhythm_prompt: str
    rhythm_weekly: str
    rhythm_biweekly: str
    rhythm_monthly: str
    rhythm_off: str
    day_prompt: str
    time_prompt: str
    time_invalid: str
    weekend_prompt: str
    weekend_none: str
    weekend_day: str  # {day} chosen is in the weekend, so check-ins come on {slot}
    saved: str
    off: str
    needs_zone: str
    pause_prompt: str
    pause_week: str
    pause_two_weeks: str
    pause_month: str
    pause_open: str
    pause_invalid: str
    paused_until: str
    paused_open: str
    paused_line: str
    resumed: str
    not_paused: str


class PrivacyTexts(_Strict):
    """What the bot says about privacy: /privacy, /export, /forget, retention, the export file."""

    overview: str
    kept_forever: str
    kept_for: str
    export_button: str
    forget_button: str
    export_caption: str
    export_json_caption: str
    forget_sure: str
    forget_sure_nothing: str
    forget_yes: str
    forget_no: str
    forget_changed: str
    forgotten: str
    forget_cancelled: str
    stories_one: str
    stories_other: str
    checkins_one: str
    checkins_other: str
    stories_and_checkins: str
    delete_story: str
    delete_sure: str
    delete_yes: str
    deleted: str
    retention_notice: str
    file_title: str
    file_intro: str
    file_about: str
    file_account: str
    file_language: str
    file_first_contact: str
    file_checkins: str
    file_checkins_none: str
    file_team: str
    file_team_line: str
    file_team_none: str
    file_facilitates: str
    file_photos: str
    file_photo_line: str
    file_stories: str
    file_stories_none: str
    file_released: str
    file_released_team: str
    file_skipped: str
    file_join_failures: str
    file_join_locked: str
    file_retention_told: str
    file_checkins_blocked: str
    file_story_told: str
    file_invitations: str
    file_invitation_line: str  # {date}, {dish}
