"""The ``workdatahub`` command line: thin wrappers over the same services Dagster uses."""
