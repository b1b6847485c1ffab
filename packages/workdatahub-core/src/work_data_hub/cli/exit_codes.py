"""The exit codes every command shares, in a module that imports nothing (``domains list``
starts without the database and data libraries ``cli.errors`` brings in).

``0`` success; ``1`` the work failed (a bad file, a database that refused it, a failed
migration); ``2`` a usage error; ``3`` the rejected share exceeded the threshold; ``4``
nothing could start (configuration, an unknown domain or execution, no file, no server).
"""

__all__ = ["EXIT_FAILED", "EXIT_NOT_STARTED", "EXIT_THRESHOLD", "EXIT_USAGE"]

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_THRESHOLD = 3
EXIT_NOT_STARTED = 4
