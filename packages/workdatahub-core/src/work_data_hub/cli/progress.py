"""Progress of a run on a terminal: which stage it is in, with how many rows, and for how long.

The run service tells a ``StageProgress`` as each stage starts (read, transform, load); this
draws it as one bar of three steps per domain. Where the output is not a terminal (a pipe, a
log file, CI) nothing is drawn, so ``--json`` output and logs stay clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from work_data_hub.io.runs.request import StageProgress

__all__ = ["STAGES", "run_progress"]

STAGES = ("read", "transform", "load")


@contextmanager
def run_progress(console: Console) -> Iterator[Callable[[str], StageProgress]]:
    """Yield ``progress(domain)``, the ``StageProgress`` of one domain's run.

    On a terminal each domain gets a bar (``annuity_performance  transform 35,000 rows``) that
    advances as its stages start and is complete when the context ends; elsewhere the
    callbacks do nothing.
    """
    if not console.is_terminal:
        yield lambda _domain: _ignore
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bars:

        def progress(domain: str) -> StageProgress:
            task = bars.add_task(domain, total=len(STAGES))

            def stage_started(stage: str, rows: int | None) -> None:
                counted = f" {rows:,} rows" if rows is not None else ""
                bars.update(
                    task,
                    description=f"{domain}  {stage}{counted}",
                    completed=STAGES.index(stage) if stage in STAGES else 0,
                )

            return stage_started

        yield progress


def _ignore(stage: str, rows: int | None) -> None:
    """A ``StageProgress`` that draws nothing."""
