"""The migration helpers a domain's Alembic revisions use: its table from its declared columns.

``create_domain_table(op, table, columns, schema, keys)`` in a base revision, and
``drop_domain_table(op, table, schema)`` in its downgrade.
"""

from work_data_hub.io.schema.tables import create_domain_table, drop_domain_table

__all__ = ["create_domain_table", "drop_domain_table"]
