"""Database schema management: Alembic environment, core migrations, table derivation."""
