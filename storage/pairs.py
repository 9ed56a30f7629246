"""Pair interviews in the database: one row per pair, the draft encrypted, changed only
by the two people in it and only from the version a step read (``StaleDecision`` makes
the runner decide that step again). Flushes; the caller commits."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.pair.data import (
    LIFETIME,
    ChangePair,
    CreatePair,
    EndPair,
    PairNeeds,
    PairStatus,
    PairView,
)
from flows.views import AnswerView
from storage.crypto import TextCipher
from storage.models import PairInterview, Person
from storage.repositories import StaleDecision

LIVE = (PairStatus.ASKING.value, PairStatus.REVIEW.value)


def token_hash(token: str) -> str:
    """What is stored of an invitation's token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _in_it(person_id: int) -> ColumnElement[bool]:
    """The rows of the pairs this person is in."""
    return or_(PairInterview.inviter_id == person_id, PairInterview.guest_id == person_id)


class Pairs:
    """Loads, creates, changes and ends pair interviews."""

    def __init__(self, session: AsyncSession, cipher: TextCipher) -> None:
        self.session = session
        self.cipher = cipher

    async def view(self, person_id: int, needs: PairNeeds, now: datetime) -> PairView | None:
        """The pair a step asked for, as this person sees it (None: none, or expired)."""
        query = select(PairInterview).where(PairInterview.expires_at > now)
        if needs.token is not None:
            query = query.where(PairInterview.token_hash == token_hash(needs.token))
        elif needs.pair_id is not None:
            query = query.where(PairInterview.id == needs.pair_id)
        else:  # the person's own, going on or waiting for a colleague
            query = (
                query.where(_in_it(person_id), PairInterview.status != PairStatus.DONE.value)
                .order_by(PairInterview.created_at.desc())
                .limit(1)
            )
        row = await self.session.scalar(query)
        return None if row is None else await self._seen(row, person_id, now)

    async def _seen(self, row: PairInterview, person_id: int, now: datetime) -> PairView:
        is_inviter = row.inviter_id == person_id
        partner_id = row.guest_id if is_inviter else row.inviter_id
        partner = None
        if partner_id is not None:
            found = await self.session.execute(
                select(Person.chat_id, Person.language).where(Person.id == partner_id)
            )
            partner = found.one_or_none()
        elsewhere = await self.session.scalar(
            select(
                exists().where(
                    _in_it(person_id),
                    PairInterview.id != row.id,
                    PairInterview.status.in_(LIVE),
                    PairInterview.expires_at > now,
                )
            )
        )
        return PairView(
            id=row.id,
            version=row.version,
            status=PairStatus(row.status),
            inviter_tells=row.inviter_tells,
            viewer_is_inviter=is_inviter,
            mine=is_inviter or row.guest_id == person_id,
            question=row.question,
            answers=self._answers(row.answers_encrypted),
            messages=tuple(json.loads(row.messages or "[]")),
            partner_chat=partner.chat_id if partner is not None else None,
            partner_language=partner.language if partner is not None else "en",
            created_at=row.created_at,
            changed_at=row.expires_at - LIFETIME,  # every change sets its expiry anew
            elsewhere=bool(elsewhere),
        )

    def _answers(self, encrypted: bytes | None) -> dict[str, AnswerView]:
        if encrypted is None:
            return {}
        data = json.loads(self.cipher.decrypt(encrypted))
        return {
            key: AnswerView(text, tuple(choices), skipped)
            for key, (text, choices, skipped) in data.items()
        }

    def _encrypted(self, answers: tuple[tuple[str, AnswerView], ...]) -> bytes | None:
        if not answers:
            return None
        data = {key: [a.text, list(a.choices), a.skipped] for key, a in answers}
        return self.cipher.encrypt(json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    async def create(self, person_id: int, effect: CreatePair, now: datetime) -> None:
        """A new invitation; the person's earlier ones that nobody accepted go."""
        await self._drop_open(person_id)
        self.session.add(
            PairInterview(
                id=effect.pair_id,
                token_hash=token_hash(effect.token),
                inviter_id=person_id,
                inviter_tells=effect.inviter_tells,
                status=PairStatus.OPEN.value,
                messages="[]",
                version=1,
                created_at=now,
                expires_at=now + LIFETIME,
            )
        )
        await self.session.flush()

    async def change(self, person_id: int, effect: ChangePair, now: datetime) -> None:
        """The pair as the step left it, only from the version it read."""
        values: dict[str, object] = {
            "status": effect.status.value,
            "question": effect.question,
            "answers_encrypted": self._encrypted(effect.answers),
            "messages": json.dumps(list(effect.messages)),
            "version": PairInterview.version + 1,
            "expires_at": now + LIFETIME,
        }
        allowed = _in_it(person_id)
        if effect.accept:  # the colleague who opened the link becomes the guest
            await self._drop_open(person_id)
            values["guest_id"] = person_id
            allowed = PairInterview.guest_id.is_(None) & (PairInterview.inviter_id != person_id)
        if effect.swap:
            values["inviter_tells"] = not_(PairInterview.inviter_tells)
        result = await self.session.execute(
            update(PairInterview)
            .where(
                PairInterview.id == effect.pair_id,
                PairInterview.version == effect.version,
                allowed,
            )
            .values(values)
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise StaleDecision

    async def end(self, person_id: int, effect: EndPair) -> None:
        """The pair is over: its row (and the draft in it) goes, only from the version the
        step read (else the step is decided again, on what the partner did meanwhile)."""
        result = await self.session.execute(
            delete(PairInterview).where(
                PairInterview.id == effect.pair_id,
                PairInterview.version == effect.version,
                _in_it(person_id),
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise StaleDecision

    async def _drop_open(self, person_id: int) -> None:
        await self.session.execute(
            delete(PairInterview).where(
                PairInterview.inviter_id == person_id,
                PairInterview.status == PairStatus.OPEN.value,
            )
        )


async def delete_expired_pairs(session: AsyncSession, now: datetime) -> int:
    """Retention: pair interviews past their time go, with their drafts."""
    result = await session.execute(delete(PairInterview).where(PairInterview.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
