"""A block of code in which a context variable holds a value."""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Generic, TypeVar

T = TypeVar("T")


class ContextVarBlock(Generic[T]):
    """`with ContextVarBlock(var, value):` sets `var` to `value` for the block and restores it after.

    A class, not a `contextmanager` generator: those cost about a microsecond more per block, and reads
    enter two such blocks each (app/api/reading.py)."""

    __slots__ = ("_token", "_value", "_var")

    def __init__(self, var: ContextVar[T], value: T) -> None:
        self._var = var
        self._value = value

    def __enter__(self) -> None:
        self._token: Token[T] = self._var.set(self._value)

    def __exit__(self, *_exc: object) -> None:
        self._var.reset(self._token)
