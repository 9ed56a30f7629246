"""Group chats the bot has already pointed to a private chat: it says so once per group.

A group's chat id is nobody's personal data, but it is kept only as a keyed hash
(``TextCipher.fingerprint``): the table does not list the groups the bot was added to.
After a key rotation a group may be told once more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import TextCipher
from storage.inbox import insert_for
from storage.models import GroupChat


def group_key(cipher: TextCipher, chat_id: int) -> str:
    """The stored stand-in for a group chat id."""
    return cipher.fingerprint(f"group-chat:{chat_id}")


async def first_word(session: AsyncSession, key: str, now: datetime) -> bool:
    """True (and remembered) the first time for this group; False after that."""
    statement = (
        insert_for(session)(GroupChat)
        .values(key=key, told_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(GroupChat.key)
    )
    return (await session.scalar(statement)) is not None
