"""What the bot says about teams: invites, the team photo, its session kit and quotes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TeamTexts(BaseModel):
    """What the bot says about teams, invites, the team photo and shared quotes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    join_usage: str
    join_confirm: str
    join_switch: str
    join_yes: str
    join_no: str
    joined: str
    join_cancelled: str
    already_member: str
    code_invalid: str
    join_locked: str
    facilitator_confirm: str
    facilitator_yes: str
    facilitator_added: str  # the role, introduced; {delivery} is one of the texts below
    facilitator_delivery_monthly: str
    facilitator_delivery_quarterly: str
    facilitator_delivery_half_yearly: str
    facilitator_delivery_yearly: str
    facilitator_delivery_off: str
    already_facilitator: str
    member_cannot_facilitate: str
    facilitator_cannot_join: str
    team_none: str
    team_current: str
    team_facilitates: str
    leave: str
    leave_sure: str
    leave_yes: str
    left: str
    admin_only: str
    newteam_usage: str
    team_created: str
    member_invite: str
    facilitator_invite: str
    teams_title: str
    teams_empty: str
    team_menu: str
    new_member_code: str
    new_facilitator_link: str
    revoke_codes: str
    codes_revoked: str
    photo_not_facilitator: str
    photo_pick_team: str
    photo_pick_period: str
    photo_not_enough: str
    photo_title: str
    photo_summary: str
    photo_item: str
    photo_recurring: str
    photo_withheld: str
    photo_quotes: str
    photo_dishes: str
    photo_dish: str
    photo_own_dish: str
    photo_summary_was: str  # the previous window of the same length, when compared
    photo_item_was: str  # {item} as photo_item, then the previous window's count
    photo_dish_was: str
    photo_members_yes: str  # the facilitator's picker: members see the windows seen
    photo_members_no: str
    photo_members_on: str
    photo_members_off: str
    photo_own_team: str  # someone who facilitates teams and belongs to another
    photo_member_pick: str
    photo_no_team: str
    photo_members_closed: str
    photo_none_shown: str
    photo_not_shown: str
    photo_other_team: str
    kit_button: str  # under a facilitator's photo: the session kit for a team meeting
    kit_title: str
    kit_intro: str
    kit_snapshot: str  # the heading above the photo's top items
    kit_questions: str  # the heading above the method's three questions
    kit_recognise: str
    kit_inspiration: str
    kit_try: str
    kit_caption: str
    chart_axis: str
    period_quarter: str
    period_half: str
    quote_offer: str
    quote_share: str
    quote_keep: str
    quote_shared: str
    quote_kept: str
    quote_withdraw: str
    quote_withdrawn: str
