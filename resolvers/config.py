"""Login-as-Customer configuration values, stored at Magento's config paths."""

from __future__ import annotations

ENABLED_PATH = "login_as_customer/general/enabled"


def parse_flag(value: str | None, *, default: bool) -> bool:
    """A Magento yes/no config value ("1"/"0"); unset means the default."""
    if value is None:
        return default
    return value.strip() == "1"


def is_enabled(value: str | None) -> bool:
    """Login as Customer is off unless enabled (Magento's default)."""
    return parse_flag(value, default=False)
