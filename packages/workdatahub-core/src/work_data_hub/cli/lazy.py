"""Commands imported when they run: ``workdatahub --help`` answers without pandas or SQLAlchemy.

Each command group's module imports what its commands need (the run service, pandas,
SQLAlchemy, Alembic). The root group knows every command by name and one line of help, and
imports a command's module only to run it or to show that command's own help.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass

import typer

# Typer vendors Click; a group's API takes its Context and Command, not those of ``click``.
from typer import _click as click
from typer.core import TyperGroup

__all__ = ["LazyCommand", "LazyGroup"]


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (``"module:attribute"``: a typer app or a command function) and
    the one line the root's help shows for it."""

    target: str
    summary: str

    def load(self, name: str) -> click.Command:
        """Import the command and return it as click runs it."""
        module, attribute = self.target.split(":")
        found = getattr(importlib.import_module(module), attribute)
        if isinstance(found, typer.Typer):
            return typer.main.get_group(found)
        single = typer.Typer(add_completion=False)
        single.command(name)(found)
        return typer.main.get_command(single)


class LazyGroup(TyperGroup):
    """A typer group whose commands are ``LazyCommand``s (``COMMANDS``, set by a subclass).

    Listing the commands, as the root's help does, costs no import: each is a placeholder
    carrying its summary. Resolving a command to run it, or to show its help, loads it.
    """

    COMMANDS: Mapping[str, LazyCommand] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The command names, in declaration order."""
        return list(self.COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A placeholder with the command's summary; ``resolve_command`` loads the real one."""
        command = self.COMMANDS.get(cmd_name)
        if command is None:
            return None
        return typer.core.TyperCommand(cmd_name, help=command.summary, short_help=command.summary)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Return the command the arguments name, imported, and the arguments left."""
        name, _, rest = super().resolve_command(ctx, args)
        if name is None or name not in self.COMMANDS:
            return name, None, rest
        return name, self.COMMANDS[name].load(name), rest
