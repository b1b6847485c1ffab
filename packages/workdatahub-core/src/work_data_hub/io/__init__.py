"""The I/O layer: readers, file discovery, the warehouse loader, migrations, embedded PostgreSQL."""
