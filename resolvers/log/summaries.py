"""What staff did in a customer's account, in sentences for the customer (DESIGN.md
section 15), built from the details of the action log entries of their sessions.

Shown are the changes staff made in the account: one summary function per action in
`SUMMARIES`. A session's start, exchange and end are the session's own fields
(`startedAt`, `endedAt`, `endCause`), and refused or failed calls changed nothing, so
neither is an action here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from lac.resolvers.log.writer import Action

Summarize = Callable[[Mapping[str, Any]], str]


def _cart_add(details: Mapping[str, Any]) -> str:
    return f"Added {details['quantity']} x {details['sku']} to the cart"


def _cart_remove(details: Mapping[str, Any]) -> str:
    return f"Removed {details['sku']} from the cart"


def _order_place(details: Mapping[str, Any]) -> str:
    return f"Placed order {details['incrementId']}"


def _account_update(details: Mapping[str, Any]) -> str:
    changed = ", ".join(sorted(details.get("changes") or {})) or "nothing changed"
    return f"Updated the account ({changed})"


SUMMARIES: Mapping[Action, Summarize] = MappingProxyType(
    {
        Action.CART_ADD: _cart_add,
        Action.CART_REMOVE: _cart_remove,
        Action.ORDER_PLACE: _order_place,
        Action.ACCOUNT_UPDATE: _account_update,
    }
)
SHOWN_ACTIONS = tuple(action.value for action in SUMMARIES)


def summary(action: str, details: str) -> str:
    """The sentence for one successful entry of a shown action (`details` as stored)."""
    return SUMMARIES[Action(action)](json.loads(details))
