"""The engine that carries updates in and replies out, durably.

    Telegram ─▶ inbox (committed first) ─▶ lanes (one person in order, people in
    parallel) ─▶ flows ─▶ one transaction: state + answers + outbox ─▶ sender ─▶ Telegram

``inbox``/``outbox`` rows live in the database (``storage.inbox``, ``storage.outbox``);
``lanes`` runs the handling, ``sender`` the delivery, ``leader`` decides which instance
polls and sends, ``polling`` and ``bot.telegram.webhook`` bring updates in.
"""
