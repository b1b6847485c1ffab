"""SIGTERM and SIGINT stop a run cleanly: its transaction rolls back and it is recorded failed.

Inside ``interruptible(engine)`` the first SIGTERM or SIGINT raises ``RunInterrupted`` in the
main thread, where ``run_domain`` records the execution ``failed`` ("interrupted by SIGTERM")
and re-raises it. A statement blocked in the driver would hold the signal back until it
returns (libpq retries its wait on EINTR), so a watcher thread, woken through
``signal.set_wakeup_fd``, cancels the statements in flight on ``engine``'s connections. Once the
interruption is raised or recorded, a further signal gets the previous handler (for SIGTERM:
the process ends at once).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import psycopg2
from sqlalchemy import Engine, event

from work_data_hub.utils.logging import get_logger

__all__ = ["STOP_SIGNALS", "RunInterrupted", "interruptible", "take_interruption"]

logger = get_logger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_STOP_WATCHING = b"\x00"


class RunInterrupted(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM, SIGINT) while a run was going on."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")

    @property
    def exit_code(self) -> int:
        """The conventional exit code of a process ended by the signal: 128 + its number."""
        return 128 + self.signum

    def __str__(self) -> str:
        return str(self.args[0])


class _Interruption:
    """The state of one ``interruptible`` block; written without locks (signal handlers)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.claimed = False
        self.active = True
        self.connections: set[Any] = set()
        self.guard = threading.Lock()

    def claim(self) -> RunInterrupted | None:
        if self.signum is None or self.claimed:
            return None
        self.claimed = True
        return RunInterrupted(self.signum)

    def cancel_statements(self) -> None:
        with self.guard:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.cancel()
            except psycopg2.Error as error:
                logger.info("statement not cancelled", error=str(error))


_current: _Interruption | None = None
_ASK_AGAIN_S = 0.05


def _inside_codec(frame: FrameType | None) -> bool:
    return frame is not None and f"{os.sep}encodings{os.sep}" in frame.f_code.co_filename


def take_interruption() -> RunInterrupted | None:
    """Return the pending interruption once (then None); None when there is none.

    The caller records it: after it, the signal handler raises nothing more. A caller that
    caught any error (the cancelled statement's, or the ``RunInterrupted`` itself) asks here,
    because the handler's exception can be swallowed by code it interrupts (the driver, while
    it decodes the server's message) or arrive only after the statement's error.
    """
    return _current.claim() if _current is not None else None


def _watch(state: _Interruption, read_fd: int) -> None:
    while True:
        data = os.read(read_fd, 1)
        if not data or data == _STOP_WATCHING:
            return
        if data[0] in STOP_SIGNALS and not state.claimed:
            state.signum = state.signum or data[0]
            state.cancel_statements()


@contextmanager
def interruptible(engine: Engine) -> Iterator[None]:
    """Turn SIGTERM and SIGINT into ``RunInterrupted`` for the duration of the block.

    Only in the main thread (elsewhere the block runs unchanged); the previous handlers come
    back on exit. Statements in flight on ``engine``'s connections are cancelled on the signal.
    """
    global _current
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    state = _Interruption()
    previous = {signum: signal.getsignal(signum) or signal.SIG_DFL for signum in STOP_SIGNALS}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    def ask_again(signum: int) -> None:
        with state.guard:
            if state.active and not state.claimed:
                os.kill(os.getpid(), signum)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        state.signum = state.signum or signum
        if state.claimed:
            restore()
            return
        if _inside_codec(frame):
            # psycopg2 prints and swallows an exception raised while it decodes a server
            # message (the cancelled statement's): ask again a moment later.
            threading.Timer(_ASK_AGAIN_S, ask_again, (signum,)).start()
            return
        restore()
        raise RunInterrupted(state.signum)

    def checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        with state.guard:
            state.connections.add(dbapi_connection)

    def checked_in(dbapi_connection: Any, record: Any) -> None:
        with state.guard:
            state.connections.discard(dbapi_connection)

    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    watcher = threading.Thread(target=_watch, args=(state, read_fd), daemon=True)
    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)
    previous_wakeup = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    watcher.start()
    _current = state
    try:
        for signum in STOP_SIGNALS:
            signal.signal(signum, on_signal)
        yield
    finally:
        with state.guard:
            state.active = False
        restore()
        _current = None
        signal.set_wakeup_fd(previous_wakeup)
        os.write(write_fd, _STOP_WATCHING)
        watcher.join(timeout=5)
        os.close(write_fd)
        os.close(read_fd)
        event.remove(engine, "checkout", checked_out)
        event.remove(engine, "checkin", checked_in)
