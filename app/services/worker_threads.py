"""Blocking work in a worker thread, from asyncio tasks that may be cancelled at shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar, TypeVarTuple, Unpack

import anyio.to_thread

ResultT = TypeVar("ResultT")
ArgsT = TypeVarTuple("ArgsT")


async def run_to_the_end(func: Callable[[Unpack[ArgsT]], ResultT], *args: *ArgsT) -> ResultT:
    """`func(*args)` in a worker thread; a cancellation waits for the thread to finish before it goes on.

    A plain `await anyio.to_thread.run_sync(...)` gives way to a cancellation at once while the thread
    runs on: a shutdown that then disposes of an engine leaves the connection the thread holds to be
    returned to a pool nobody closes (and collected open).
    """
    work = asyncio.ensure_future(anyio.to_thread.run_sync(func, *args))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        await asyncio.wait([work])
        raise
