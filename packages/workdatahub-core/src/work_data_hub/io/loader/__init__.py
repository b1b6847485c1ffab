"""The transactional PostgreSQL loader and the audit writer."""
