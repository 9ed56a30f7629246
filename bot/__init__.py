"""Adapters: Telegram, the terminal chat, the scheduler and the command line."""
