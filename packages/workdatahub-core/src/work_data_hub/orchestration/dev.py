"""``make dagster``: ``dagster dev`` on the installed plugins, with the platform's settings.

``python -m work_data_hub.orchestration.dev [dagster dev options]`` prepares ``DAGSTER_HOME``
(and its ``dagster.yaml``), starts the embedded PostgreSQL and applies the migrations when no
``DATABASE_URL`` is set in dev, then runs ``dagster dev`` on this package's definitions until
Ctrl+C. Dagster's processes get ``DAGSTER_HOME``, the storage password and the warehouse URL
through their environment. ``-h``/``--help`` prints the options and touches nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

from work_data_hub.config import Settings, get_settings
from work_data_hub.io.database import masked, resolve_database_url
from work_data_hub.io.schema.migrate import upgrade
from work_data_hub.orchestration.instance import instance_environment, write_instance_config
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)

DEFINITIONS_MODULE = "work_data_hub.orchestration.definitions"
TARGET_OPTIONS = frozenset(
    {"-m", "--module-name", "-f", "--python-file", "-w", "--workspace", "--package-name"}
)
"""``dagster dev`` options that name what to load; given one, the default module is not added."""


def dagster_dev_command(arguments: Sequence[str]) -> list[str]:
    """Return the ``dagster dev`` command line: this environment's ``dagster``, our definitions."""
    executable = Path(sys.executable).with_name("dagster")
    names_target = any(argument.split("=", 1)[0] in TARGET_OPTIONS for argument in arguments)
    target = [] if names_target else ["-m", DEFINITIONS_MODULE]
    return [str(executable), "dev", *target, *arguments]


def dev_environment(settings: Settings, base: Mapping[str, str]) -> dict[str, str]:
    """Return ``base`` plus what Dagster needs; in dev without DATABASE_URL, an embedded warehouse.

    The embedded PostgreSQL started here keeps running while this process lives, and every
    Dagster process reaches it through the ``DATABASE_URL`` added to the environment.
    """
    environment = {**base, **instance_environment(settings)}
    if settings.uses_embedded_database:
        url = resolve_database_url(
            settings, allow_embedded=True, data_dir=settings.embedded_postgres_dir
        )
        upgrade(url)
        environment["DATABASE_URL"] = url
        logger.info("dagster_dev_warehouse", database="embedded", url=masked(url))
    return environment


def run_until_stopped(command: Sequence[str], environment: Mapping[str, str]) -> int:
    """Run ``command`` until it exits and return its exit code.

    Ctrl+C (SIGINT to the terminal's process group) reaches the child directly while this process
    ignores it and waits; a SIGTERM sent to this process is passed on to the child as SIGINT.
    ``dagster dev`` shuts down cleanly on one SIGINT; a second one would cut its cleanup short.
    """
    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    # A handler rather than an inherited "ignore": the child then starts with SIGINT at default.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    process = subprocess.Popen(list(command), env=dict(environment))  # noqa: S603 (our own argv)

    def forward_as_interrupt(signum: int, frame: FrameType | None) -> None:
        process.send_signal(signal.SIGINT)

    # Ignoring SIGINT here (the child has started) also keeps Popen.wait from being interrupted
    # between reaping the child and recording its exit code, which would lose the code.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, forward_as_interrupt)
    try:
        return process.wait()
    finally:
        for signum, handler in zip((signal.SIGINT, signal.SIGTERM), previous, strict=True):
            if handler is not None:
                signal.signal(signum, handler)


HELP_OPTIONS = frozenset({"-h", "--help"})
USAGE = (
    "usage: python -m work_data_hub.orchestration.dev [dagster dev options]\n\n"
    "Prepares DAGSTER_HOME (default <WDH_DATA_DIR>/dagster) and its dagster.yaml, starts the\n"
    "embedded PostgreSQL when DATABASE_URL is unset in dev, then runs `dagster dev` on\n"
    f"{DEFINITIONS_MODULE}. Every option below is passed on to `dagster dev`.\n"
)


def main(arguments: Sequence[str] | None = None) -> int:
    """Prepare the instance and the warehouse, then run ``dagster dev`` until it stops.

    With ``-h``/``--help`` it prints its usage and ``dagster dev --help`` and changes nothing:
    no settings are read, no file is written, no database is started.
    """
    given = list(sys.argv[1:] if arguments is None else arguments)
    if HELP_OPTIONS & set(given):
        sys.stdout.write(USAGE + "\n")
        sys.stdout.flush()
        return subprocess.call([*dagster_dev_command([])[:2], "--help"])  # noqa: S603
    settings = get_settings(require_database=False)
    write_instance_config(settings)
    environment = dev_environment(settings, os.environ)
    command = dagster_dev_command(given)
    logger.info("dagster_dev_starting", command=" ".join(command))
    return run_until_stopped(command, environment)


if __name__ == "__main__":
    sys.exit(main())
