"""Claiming the oldest rows of a work table (inbox, outbox) under a lease, prebuilt.

A claim takes the oldest rows nobody holds (``claimed_until`` unset or past), or any
row when taking over from a dead instance, leaving out the ones in ``skip``; on
PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets instances claim side by side. The four
variants are built once: the engine claims several times a second.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, Table, bindparam

Claims = dict[tuple[bool, bool], Select[Any]]  # (any row, with a skip list) -> statement


def claim_statements(query: Select[Any], table: Table, oldest: ColumnElement[Any]) -> Claims:
    """``query`` (what to select, from which rows) as the four claims, oldest first;
    binds ``limit``, ``now`` and ``skip``."""

    def claim(any_row: bool, skip: bool) -> Select[Any]:
        claimed = query.order_by(oldest).limit(bindparam("limit"))
        claimed = claimed.with_for_update(skip_locked=True)
        if not any_row:
            until = table.c.claimed_until
            claimed = claimed.where(until.is_(None) | (until < bindparam("now")))
        if skip:
            claimed = claimed.where(oldest.not_in(bindparam("skip", expanding=True)))
        return claimed

    return {
        (any_row, skip): claim(any_row, skip) for any_row in (False, True) for skip in (False, True)
    }
