"""The Telegram adapter: the Application, polling, webhook, updates in, replies out."""
