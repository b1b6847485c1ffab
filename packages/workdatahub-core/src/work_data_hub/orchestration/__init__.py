"""Dagster orchestration: jobs, ops, schedules and sensors built from the installed plugins."""
