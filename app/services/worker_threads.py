"""Blocking work in a worker thread, from asyncio tasks that may be cancelled at shutdown."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, TypeVarTuple, Unpack

import anyio.to_thread

ResultT = TypeVar("ResultT")
ArgsT = TypeVarTuple("ArgsT")

# As many threads as anyio's default limiter lends (the pool starts them as work arrives).
WORKER_THREADS = 40
_workers = ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="sectorfacts-worker")


async def run_to_the_end(
    func: Callable[[Unpack[ArgsT]], ResultT], *args: *ArgsT, prompt: bool = True
) -> ResultT:
    """`func(*args)` in a worker thread, in a copy of the caller's context; a cancellation waits for the
    thread to finish before it goes on.

    A plain `await anyio.to_thread.run_sync(...)` gives way to a cancellation at once while the thread
    runs on: a shutdown that then disposes of an engine leaves the connection the thread holds to be
    returned to a pool nobody closes (and collected open).

    `prompt`: the work is handed to the thread at once and its outcome handed back in one callback. Each
    step through a busy event loop costs a whole turn of it; anyio's `run_sync` (a checkpoint first) in a
    shielded task, the way taken otherwise, takes five, which leaves the loop's other work ahead.
    """
    if not prompt:
        task = asyncio.ensure_future(anyio.to_thread.run_sync(func, *args))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            await asyncio.wait([task])
            raise
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[ResultT] = loop.create_future()
    ended: asyncio.Future[None] = loop.create_future()
    context = contextvars.copy_context()

    def work() -> None:
        try:
            result = context.run(func, *args)
        except BaseException as error:  # handed to the awaiting task, which raises it
            loop.call_soon_threadsafe(_settle, answer, ended, None, error)
        else:
            loop.call_soon_threadsafe(_settle, answer, ended, result, None)

    _workers.submit(work)
    try:
        return await answer
    except asyncio.CancelledError:
        await asyncio.wait([ended])
        raise


def _settle(
    answer: asyncio.Future[Any], ended: asyncio.Future[None], result: Any, error: BaseException | None
) -> None:
    """On the loop: the thread's result (or error) for the task awaiting it, unless it was cancelled."""
    ended.set_result(None)
    if answer.done():
        return
    if error is not None:
        answer.set_exception(error)
    else:
        answer.set_result(result)
