"""Blocking work handed to a worker thread: its result or error comes back to the awaiting task, the
caller's context goes with it, and a cancelled caller still waits for the thread to finish."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from app.services.worker_threads import run_to_the_end

REQUEST = contextvars.ContextVar("request", default="none")
# Handed over and back promptly, or by anyio's turns of the loop: the same outcome either way.
WAYS = pytest.mark.parametrize("prompt", [True, False], ids=["prompt", "by-turns"])


def _where(label: str) -> tuple[str, int, str]:
    return label, threading.get_ident(), REQUEST.get()


@WAYS
def test_the_work_runs_in_another_thread_in_the_callers_context(prompt: bool) -> None:
    async def call() -> tuple[tuple[str, int, str], int]:
        REQUEST.set("req-1")
        return await run_to_the_end(_where, "claim", prompt=prompt), threading.get_ident()

    (label, thread, seen), loop_thread = asyncio.run(call())
    assert label == "claim"
    assert thread != loop_thread
    assert seen == "req-1"


@WAYS
def test_an_error_in_the_thread_is_raised_to_the_caller(prompt: bool) -> None:
    def fail() -> None:
        raise LookupError("no such claim")

    async def call() -> None:
        await run_to_the_end(fail, prompt=prompt)

    with pytest.raises(LookupError, match="no such claim"):
        asyncio.run(call())


@WAYS
def test_a_cancelled_caller_waits_for_the_thread_to_finish(prompt: bool) -> None:
    release, finished = threading.Event(), threading.Event()

    def write() -> str:
        release.wait(timeout=10)
        finished.set()
        return "written"

    async def scenario() -> tuple[bool, bool]:
        task = asyncio.create_task(run_to_the_end(write, prompt=prompt))
        await asyncio.sleep(0.05)  # the thread has the work
        task.cancel()
        await asyncio.sleep(0.05)
        waiting_for_the_thread = not task.done()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        return waiting_for_the_thread, finished.is_set()

    waited, finished_first = asyncio.run(scenario())
    assert waited
    assert finished_first
