"""The pure layer: pipeline framework, step protocols, generic steps, column declarations.

Nothing here touches files, databases or the network; I/O services arrive as arguments.
Imports allowed: the standard library, pandas, pydantic, pandera, ``config`` and ``utils``.
"""
