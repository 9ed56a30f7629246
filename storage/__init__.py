"""Storage: SQLAlchemy models, repositories, migrations and encryption of free text."""
