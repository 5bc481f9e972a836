"""A hard time bound for work that runs in the request's own thread (the PDF render).

The summary's cost is bounded by its markup (see templates/pdf/pdf.css), but a render that
still overruns must not hold a worker until gunicorn kills it (the patient would get a 500 and
nothing else): after `seconds`, a watchdog timer raises `Overrun` inside the rendering thread,
which unwinds the render and the view answers with a page of its own.

Why an exception raised into the thread (CPython's `PyThreadState_SetAsyncExc`) rather than a
subprocess or a signal: WeasyPrint's layout is Python code, so the exception lands within
milliseconds and the CPU is free at once (an abandoned thread would keep burning it); it works
in any thread and any gunicorn worker class (SIGALRM reaches the main thread only); and it needs
no second process per worker holding its own copy of WeasyPrint and its fonts. `Overrun` is a
BaseException so that no `except Exception` inside a library can swallow it.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Overrun(BaseException):
    """The work took longer than its bound and was stopped."""


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    """Schedule `exc` in the thread (None cancels a scheduled one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None
    )


def run_within(seconds: float, work: Callable[[], T]) -> T:
    """`work()`, or `Overrun` once it has run for `seconds`."""
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def expire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                _raise_in(target, Overrun)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        return work()
    finally:
        with lock:
            state["done"] = True
            if state["fired"]:
                _raise_in(target, None)  # if not delivered yet, cancel it and raise it here
        timer.cancel()
        if state["fired"]:
            raise Overrun
