"""The outbox: replies stored in the transaction that decided them, until Telegram took them.

A ``Delivery`` is everything one step says to one chat, in order: the answer to
the button that was pressed, edits of that button's message, new messages and
files. It is stored encrypted (it holds the person's words when a card or an
export repeats them) and deleted once delivered.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from flows.documents.chart import Bar, Chart, ChartSection
from flows.documents.pdf import Block, BlockKind, Document
from flows.replies import Button, File, Reply
from storage.claims import claim_statements
from storage.crypto import TextCipher
from storage.models import OutboxMessage


@dataclass(frozen=True)
class Delivery:
    """What one step says to one chat: ``query_id`` is the pressed button's query to answer
    (with ``notice``), ``message_id`` the message it was on (where edits go)."""

    chat_id: int
    replies: tuple[Reply, ...] = ()
    query_id: str | None = None
    notice: str | None = None
    message_id: int | None = None

    @property
    def parts(self) -> int:
        """How many Bot API calls it takes at most: the button's answer, then each reply."""
        return len(self.replies) + 1


@dataclass(frozen=True)
class Pending:
    """A stored delivery not yet (fully) sent."""

    id: int
    delivery: Delivery
    created_at: datetime
    sent_parts: int = 0
    claimed: bool = True  # by this instance's sender (False: its next claim takes it)


def _button_json(button: Button) -> list[Any]:
    """[label, data], with a link or an inline query as a third item."""
    if button.url is not None:
        return [button.label, "", {"u": button.url}]
    if button.inline_query is not None:
        return [button.label, "", {"i": button.inline_query}]
    return [button.label, button.data]


def _button_from(data: list[Any]) -> Button:
    label, code, *more = data
    extra = more[0] if more else {}
    return Button(label, code, url=extra.get("u"), inline_query=extra.get("i"))


def _reply_json(reply: Reply) -> dict[str, Any]:
    data: dict[str, Any] = {"t": reply.text}
    if reply.buttons:
        data["b"] = [[_button_json(b) for b in row] for row in reply.buttons]
    if reply.edit:
        data["e"] = True
    if reply.delete:
        data["x"] = list(reply.delete)
    if reply.file is not None:
        data["f"] = {
            "n": reply.file.filename,
            "d": base64.b64encode(reply.file.data).decode("ascii"),
            "p": reply.file.picture,
        }
        if isinstance(source := reply.file.source, Document):
            data["f"]["k"] = [[block.kind.value, block.text] for block in source.blocks]
            data["f"]["t"] = source.title
            data["f"]["l"] = source.language
        elif isinstance(source, Chart):
            data["f"]["c"] = dataclasses.asdict(source)
    return data


def _file_from(data: dict[str, Any]) -> File:
    source: Document | Chart | None = None
    if "k" in data:
        blocks = tuple(Block(BlockKind(kind), text) for kind, text in data["k"])
        source = Document(blocks, data["t"], data["l"])
    elif "c" in data:
        chart = data["c"]
        sections = tuple(
            ChartSection(s["heading"], tuple(Bar(**bar) for bar in s["bars"]))
            for s in chart["sections"]
        )
        source = Chart(chart["title"], chart["axis"], tuple(chart["ticks"]), sections)
    return File(data["n"], base64.b64decode(data["d"]), bool(data["p"]), source)


def _reply_from(data: dict[str, Any]) -> Reply:
    file = data.get("f")
    return Reply(
        text=data["t"],
        buttons=tuple(tuple(_button_from(button) for button in row) for row in data.get("b", ())),
        edit=bool(data.get("e")),
        file=_file_from(file) if file else None,
        delete=tuple(data.get("x", ())),
    )


def encode(delivery: Delivery) -> str:
    """The delivery as compact JSON (without the chat id, which has its own column)."""
    data: dict[str, Any] = {"r": [_reply_json(reply) for reply in delivery.replies]}
    if delivery.query_id is not None:
        data["q"] = delivery.query_id
    if delivery.notice is not None:
        data["n"] = delivery.notice
    if delivery.message_id is not None:
        data["m"] = delivery.message_id
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def decode(chat_id: int, text: str) -> Delivery:
    """The delivery back from ``encode``."""
    data = json.loads(text)
    return Delivery(
        chat_id=chat_id,
        replies=tuple(_reply_from(reply) for reply in data["r"]),
        query_id=data.get("q"),
        notice=data.get("n"),
        message_id=data.get("m"),
    )


_TABLE = cast(Table, OutboxMessage.__table__)
_ADDED = ("bot_id", "chat_id", "payload", "created_at", "claimed_until")
_ADD = (
    insert(_TABLE)
    .values({name: bindparam(name) for name in _ADDED} | {"sent_parts": 0})
    .returning(_TABLE.c.id, _TABLE.c.claimed_until)
)


_HELD = ("none", "one", "some")  # by how many deliveries to the chat this instance holds


def _insert_unless_waiting(*, held: str) -> Any:
    """INSERT ... SELECT that claims the new row only when no other delivery to the chat
    waits than ``held`` (the ones this instance holds: "one", "some" or "none"): one
    statement, built once."""
    table = _TABLE
    typed: dict[str, ColumnElement[Any]] = {
        name: bindparam(name, type_=table.c[name].type) for name in _ADDED
    }
    others = select(table.c.id).where(
        table.c.bot_id == typed["bot_id"], table.c.chat_id == typed["chat_id"]
    )
    if held == "one":
        others = others.where(table.c.id != bindparam("held"))
    elif held == "some":
        others = others.where(table.c.id.not_in(bindparam("held", expanding=True)))
    typed["claimed_until"] = case((others.exists(), null()), else_=typed["claimed_until"])
    row = select(*(value.label(name) for name, value in typed.items()), literal(0))
    return (
        insert(table)
        .from_select([*_ADDED, "sent_parts"], row)
        .returning(table.c.id, table.c.claimed_until)
    )


# (an IN list of bound values is rewritten into the SQL at every execution: the usual
# single value gets statements of its own)
_ADD_CLAIMED_UNLESS_WAITING = {held: _insert_unless_waiting(held=held) for held in _HELD}
_DONE = delete(_TABLE).where(_TABLE.c.id.in_(bindparam("ids", expanding=True)))
_DONE_ONE = delete(_TABLE).where(_TABLE.c.id == bindparam("id"))


# (the sender looks several times a second on PostgreSQL: built once too)
_CLAIM = claim_statements(
    select(_TABLE).where(_TABLE.c.bot_id == bindparam("bot")), _TABLE, _TABLE.c.id
)
_TAKE = (
    update(_TABLE)
    .where(_TABLE.c.id.in_(bindparam("ids", expanding=True)))
    .values(claimed_until=bindparam("until"))
)


class Outbox:
    """Adds, claims and settles deliveries of one bot; flushes, never commits."""

    def __init__(self, session: AsyncSession, cipher: TextCipher, bot_id: int) -> None:
        self.session = session
        self.cipher = cipher
        self.bot_id = bot_id

    async def add(
        self,
        delivery: Delivery,
        now: datetime,
        claim_until: datetime | None,
        *,
        unless_waiting_besides: Sequence[int] | None = None,
    ) -> Pending:
        """Store a delivery; ``claim_until``: this instance sends it itself meanwhile.

        With ``unless_waiting_besides``, the claim is taken only when no other delivery
        to the chat waits than those (the ones this instance holds), decided in the
        same statement.
        """
        values: dict[str, Any] = {
            "bot_id": self.bot_id,
            "chat_id": delivery.chat_id,
            "payload": self.cipher.encrypt(encode(delivery)),
            "created_at": now,
            "claimed_until": claim_until,
        }
        if claim_until is None or unless_waiting_besides is None:
            statement = _ADD
        else:
            held = list(unless_waiting_besides)
            statement = _ADD_CLAIMED_UNLESS_WAITING[_HELD[min(len(held), 2)]]
            if held:
                values["held"] = held[0] if len(held) == 1 else held
        stored = (await self.session.execute(statement, values)).one()
        return Pending(stored.id, delivery, now, claimed=stored.claimed_until is not None)

    async def claim(
        self,
        now: datetime,
        until: datetime,
        limit: int,
        skip: Sequence[int] = (),
        *,
        take_over: bool = False,
    ) -> list[Pending]:
        """Claim the oldest deliveries that nobody holds (``take_over``: held or not)."""
        values: dict[str, Any] = {"bot": self.bot_id, "now": now, "limit": limit}
        if skip:
            values["skip"] = list(skip)
        rows = (await self.session.execute(_CLAIM[(take_over, bool(skip))], values)).all()
        if not rows:
            return []
        await self.session.execute(_TAKE, {"ids": [row.id for row in rows], "until": until})
        return [
            Pending(
                row.id,
                decode(row.chat_id, self.cipher.decrypt(row.payload)),
                row.created_at,
                row.sent_parts,
            )
            for row in rows
        ]

    async def done(self, ids: Sequence[int]) -> None:
        """Delivered (or given up): the rows go."""
        if len(ids) == 1:
            await self.session.execute(_DONE_ONE, {"id": ids[0]})
        elif ids:
            await self.session.execute(_DONE, {"ids": list(ids)})

    async def progress(self, pending_id: int, sent_parts: int) -> None:
        """Remember how far a delivery got, so a restart does not repeat those parts."""
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == pending_id)
            .values(sent_parts=sent_parts)
            .execution_options(synchronize_session=False)
        )

    async def release(self, ids: Sequence[int]) -> None:
        """Give claims back (an instance stopping), so the next sender takes them at once."""
        if ids:
            await self.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(list(ids)))
                .values(claimed_until=None)
                .execution_options(synchronize_session=False)
            )

    async def drop_chat(self, chat_id: int) -> int:
        """Telegram will not deliver to this chat (blocked): its waiting replies go."""
        result = await self.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.bot_id == self.bot_id, OutboxMessage.chat_id == chat_id
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def waiting(self) -> int:
        """How many deliveries wait (for tests and health checks)."""
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.bot_id == self.bot_id)
            )
            or 0
        )
