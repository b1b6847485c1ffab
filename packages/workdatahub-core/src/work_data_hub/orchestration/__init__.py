"""Dagster orchestration: definitions, jobs, ops, schedules and sensors built from installed plugins."""
