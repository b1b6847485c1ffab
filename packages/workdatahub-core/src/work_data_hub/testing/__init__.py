"""Test support for domain authors: the pytest plugin and its helpers."""
