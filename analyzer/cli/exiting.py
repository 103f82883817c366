"""Ending the ``fundscout`` process without freeing a big audit object by object.

An audit of 1,000 repositories builds millions of objects (the graph, the ranking, the report
document). Freeing them one at a time when the command returns, and again when the interpreter
shuts down, took about a second at that size; the operating system takes the memory back at
once. So the command hands what it built to :func:`keep_until_exit`, and the entry point
ends the process with :func:`quick_exit`: the exit handlers run (the answer store's writer is
drained and closed, logging is flushed), the standard streams are flushed, and the process
ends without tearing down the interpreter.

Only the installed command does this (``keeping`` is set by ``analyzer.cli.main``); a command
invoked in the same process by a test or another program frees everything as usual.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn

keeping = False  # set by the entry point
_kept: list[object] = []


def keep_until_exit(*values: object) -> None:
    """Hold ``values`` until the process ends, when the entry point allows it."""
    if keeping:
        _kept.extend(values)


def can_exit_quickly() -> bool:
    """True when something is held and no other thread runs (it would be cut short)."""
    return bool(_kept) and threading.active_count() == 1


def exit_status(code: object) -> int:
    """The exit status ``SystemExit(code)`` gives: None is 0, an integer is itself, anything
    else is printed to standard error and gives 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    with contextlib.suppress(Exception):
        print(code, file=sys.stderr)
    return 1


def quick_exit(code: int) -> NoReturn:
    """Run the exit handlers, flush the standard streams and end the process with ``code``."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe, say: nothing more to say there
            stream.flush()
    os._exit(code)
