"""Connectors to where source files live: monthly inbox discovery."""
