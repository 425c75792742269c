"""Fields that read what their page fetched ahead, and await a DataLoader otherwise.

graphql-core awaits whatever a resolver returns that is awaitable, so a plain (sync)
resolver may still hand back an awaitable: such a field completes synchronously when its
connection fetched the value with the page (`resolvers/sales/order_links.py`), and only
awaits its DataLoader when it was reached another way. An orders page then completes in
one pass instead of scheduling a task per nested field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar, cast

Key = TypeVar("Key")
Value = TypeVar("Value")
Node = TypeVar("Node")


def eventually(value: Awaitable[Node]) -> Node:
    """An awaitable handed back from a sync resolver, typed as the field's value: the
    executor awaits it (see the module docstring)."""
    return cast(Node, value)


def known_or_loaded(
    known: Mapping[Key, Value] | None,
    key: Key,
    load: Callable[[Key], Awaitable[Value]],
    convert: Callable[[Value], Node],
) -> Node:
    """`convert` of the value of `key`: from `known` now, or loaded (awaited) when the
    page did not fetch it."""
    if known is not None and key in known:
        return convert(known[key])
    return eventually(_converted(load(key), convert))


async def _converted(value: Awaitable[Value], convert: Callable[[Value], Node]) -> Node:
    return convert(await value)


def each(convert: Callable[[Value], Node]) -> Callable[[Sequence[Value]], list[Node]]:
    """`convert` applied to every row of a list link."""
    return lambda rows: [convert(row) for row in rows]
