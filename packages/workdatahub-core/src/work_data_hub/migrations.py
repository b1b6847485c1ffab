"""The migration helpers a domain's Alembic revisions use.

``create_domain_table(op, table, columns, schema, keys)`` in a base revision, with the
``sa.Column`` definitions written into the revision (never imported from the declarations: a
revision keeps doing what it did when it was written), and ``drop_domain_table(op, table,
schema)`` in its downgrade. Later revisions (``workdatahub db revision --autogenerate``) use
Alembic's own ``op.add_column``, ``op.drop_column`` and ``op.alter_column``.
"""

from work_data_hub.io.schema.tables import create_domain_table, drop_domain_table

__all__ = ["create_domain_table", "drop_domain_table"]
