"""Login-as-Customer configuration: global scope, stored at Magento's config paths, Magento's
defaults when unset (DESIGN.md section 6).

Changes are validated as a whole (one bad value changes nothing), logged as
`config.update` with the old and new value of each changed field, and turning the
feature off ends every live session (FEATURE_DISABLED) in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import ConfigValue
from lac.db.upsert import insert_if_missing
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import LacError
from lac.resolvers.inputs import TextInput
from lac.resolvers.log.writer import Action, ActionRecord, run_logged
from lac.resolvers.login_as_customer.session_end import EndCause, end_live_sessions

ENABLED_PATH = "login_as_customer/general/enabled"
DISABLE_PAGE_CACHE_PATH = "login_as_customer/general/disable_page_cache"
STORE_VIEW_MANUAL_CHOICE_PATH = "login_as_customer/general/store_view_manual_choice_enabled"
SECRET_LIFETIME_PATH = "login_as_customer/general/authentication_data_expiration_time"  # noqa: S105
SESSION_LIFETIME_PATH = "lac/login_as_customer/session_lifetime"
REQUIRE_REASON_PATH = "lac/login_as_customer/require_reason"
CHECKBOX_TITLE_PATH = "login_as_customer/general/shopping_assistance_checkbox_title"
CHECKBOX_TOOLTIP_PATH = "login_as_customer/general/shopping_assistance_checkbox_tooltip"
ALLOW_CODES_PATH = "lac/login_as_customer/allow_assistance_codes"
CODE_LIFETIME_PATH = "lac/login_as_customer/assistance_code_lifetime"
DEFAULT_READ_ONLY_PATH = "lac/login_as_customer/default_read_only"

DEFAULT_CHECKBOX_TITLE = "Allow remote shopping assistance"
DEFAULT_CHECKBOX_TOOLTIP = (
    'This allows merchants to "see what you see" and take actions on your behalf '
    "in order to provide better assistance."
)


class StoreViewToLogin(StrEnum):
    AUTO_DETECTION = "AUTO_DETECTION"
    MANUAL_SELECTION = "MANUAL_SELECTION"


@dataclass(frozen=True, slots=True)
class LoginAsCustomerConfig:
    enabled: bool = False
    disable_page_cache_for_admin_user: bool = True
    store_view_to_login: StoreViewToLogin = StoreViewToLogin.AUTO_DETECTION
    authentication_data_expiration_seconds: int = 60
    session_lifetime_seconds: int = 3600
    require_reason: bool = False
    shopping_assistance_checkbox_title: str = DEFAULT_CHECKBOX_TITLE
    shopping_assistance_checkbox_tooltip: str = DEFAULT_CHECKBOX_TOOLTIP
    allow_assistance_codes: bool = True
    assistance_code_lifetime_seconds: int = 600
    default_read_only: bool = False


def parse_flag(value: str | None, *, default: bool) -> bool:
    """A Magento yes/no config value ("1"/"0"); unset means the default."""
    if value is None:
        return default
    return value.strip() == "1"


def is_enabled(value: str | None) -> bool:
    """Login as Customer is off unless enabled (Magento's default)."""
    return parse_flag(value, default=False)


def page_cache_disabled(value: str | None) -> bool:
    return parse_flag(value, default=True)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def config_from_values(values: dict[str, str]) -> LoginAsCustomerConfig:
    """The typed configuration from stored path -> value pairs (missing: Magento defaults)."""
    defaults = LoginAsCustomerConfig()
    return LoginAsCustomerConfig(
        enabled=is_enabled(values.get(ENABLED_PATH)),
        disable_page_cache_for_admin_user=page_cache_disabled(values.get(DISABLE_PAGE_CACHE_PATH)),
        store_view_to_login=(
            StoreViewToLogin.MANUAL_SELECTION
            if parse_flag(values.get(STORE_VIEW_MANUAL_CHOICE_PATH), default=False)
            else StoreViewToLogin.AUTO_DETECTION
        ),
        authentication_data_expiration_seconds=_int(
            values.get(SECRET_LIFETIME_PATH), defaults.authentication_data_expiration_seconds
        ),
        session_lifetime_seconds=_int(
            values.get(SESSION_LIFETIME_PATH), defaults.session_lifetime_seconds
        ),
        require_reason=parse_flag(values.get(REQUIRE_REASON_PATH), default=False),
        shopping_assistance_checkbox_title=values.get(
            CHECKBOX_TITLE_PATH, defaults.shopping_assistance_checkbox_title
        ),
        shopping_assistance_checkbox_tooltip=values.get(
            CHECKBOX_TOOLTIP_PATH, defaults.shopping_assistance_checkbox_tooltip
        ),
        allow_assistance_codes=parse_flag(
            values.get(ALLOW_CODES_PATH), default=defaults.allow_assistance_codes
        ),
        assistance_code_lifetime_seconds=_int(
            values.get(CODE_LIFETIME_PATH), defaults.assistance_code_lifetime_seconds
        ),
        default_read_only=parse_flag(
            values.get(DEFAULT_READ_ONLY_PATH), default=defaults.default_read_only
        ),
    )


ALL_PATHS = (
    ENABLED_PATH,
    DISABLE_PAGE_CACHE_PATH,
    STORE_VIEW_MANUAL_CHOICE_PATH,
    SECRET_LIFETIME_PATH,
    SESSION_LIFETIME_PATH,
    REQUIRE_REASON_PATH,
    CHECKBOX_TITLE_PATH,
    CHECKBOX_TOOLTIP_PATH,
    ALLOW_CODES_PATH,
    CODE_LIFETIME_PATH,
    DEFAULT_READ_ONLY_PATH,
)


async def load_config(session: AsyncSession) -> LoginAsCustomerConfig:
    """The whole Login-as-Customer configuration in one statement."""
    rows = (
        await session.exec(
            select(ConfigValue.path, ConfigValue.value).where(col(ConfigValue.path).in_(ALL_PATHS))
        )
    ).all()
    return config_from_values(dict(rows))


# Each field's stored path; `update_config` walks them in this order.
SETTING_PATHS = {
    "enabled": ENABLED_PATH,
    "disable_page_cache_for_admin_user": DISABLE_PAGE_CACHE_PATH,
    "store_view_to_login": STORE_VIEW_MANUAL_CHOICE_PATH,
    "authentication_data_expiration_seconds": SECRET_LIFETIME_PATH,
    "session_lifetime_seconds": SESSION_LIFETIME_PATH,
    "require_reason": REQUIRE_REASON_PATH,
    "shopping_assistance_checkbox_title": CHECKBOX_TITLE_PATH,
    "shopping_assistance_checkbox_tooltip": CHECKBOX_TOOLTIP_PATH,
    "allow_assistance_codes": ALLOW_CODES_PATH,
    "assistance_code_lifetime_seconds": CODE_LIFETIME_PATH,
    "default_read_only": DEFAULT_READ_ONLY_PATH,
}


def change_key(attribute: str) -> str:
    """A setting's key in the log's `changes`: camelCase, like every `details` key the log
    writes (`session_lifetime_seconds` -> `sessionLifetimeSeconds`)."""
    first, *rest = attribute.split("_")
    return first + "".join(word.capitalize() for word in rest)


SECRET_LIFETIME_RANGE = range(10, 3600 + 1)
SESSION_LIFETIME_RANGE = range(60, 86400 + 1)
CODE_LIFETIME_RANGE = range(60, 3600 + 1)
MAX_TITLE_LENGTH = 255
MAX_TOOLTIP_LENGTH = 2000
TEXT_SETTINGS = {
    "shopping_assistance_checkbox_title": TextInput(
        "The shopping assistance checkbox title",
        MAX_TITLE_LENGTH,
        required="The shopping assistance checkbox title is required.",
    ),
    "shopping_assistance_checkbox_tooltip": TextInput(
        "The shopping assistance checkbox tooltip", MAX_TOOLTIP_LENGTH, multiline=True
    ),
}


@dataclass(frozen=True, slots=True)
class ConfigUpdate:
    """Requested changes; None keeps the stored value."""

    enabled: bool | None = None
    disable_page_cache_for_admin_user: bool | None = None
    store_view_to_login: StoreViewToLogin | None = None
    authentication_data_expiration_seconds: int | None = None
    session_lifetime_seconds: int | None = None
    require_reason: bool | None = None
    shopping_assistance_checkbox_title: str | None = None
    shopping_assistance_checkbox_tooltip: str | None = None
    allow_assistance_codes: bool | None = None
    assistance_code_lifetime_seconds: int | None = None
    default_read_only: bool | None = None


async def read_config(ctx: ServiceContext) -> LoginAsCustomerConfig:
    return await load_config(ctx.db)


async def update_config(ctx: ServiceContext, changes: ConfigUpdate) -> LoginAsCustomerConfig:
    """Apply `changes` (all or nothing) and return the configuration now in force.

    Out-of-range lifetimes or an empty checkbox title are BAD_USER_INPUT. Logged as
    `config.update` with `changes` {field: {old, new}} of the fields that changed (keys in
    camelCase, see `change_key`).
    Turning `enabled` off ends every live Login-as-Customer session (FEATURE_DISABLED).
    """

    async def change(record: ActionRecord) -> LoginAsCustomerConfig:
        wanted = _validated(changes)
        await _lock_config(ctx)
        old = await load_config(ctx.db)
        new = replace(old, **wanted)
        logged: dict[str, dict[str, Any]] = {}
        record.details["changes"] = logged
        for attribute, path in SETTING_PATHS.items():
            before, after = getattr(old, attribute), getattr(new, attribute)
            if before != after:
                logged[change_key(attribute)] = {"old": before, "new": after}
                await _store(ctx, path, _stored_value(after))
        if old.enabled and not new.enabled:
            await end_live_sessions(ctx, EndCause.FEATURE_DISABLED)
        return new

    return await run_logged(ctx, Action.CONFIG_UPDATE, change)


def _validated(changes: ConfigUpdate) -> dict[str, Any]:
    """The given values, normalized; BAD_USER_INPUT for the first invalid one."""
    wanted = {
        field.name: getattr(changes, field.name)
        for field in fields(changes)
        if getattr(changes, field.name) is not None
    }
    _check_range(
        wanted.get("authentication_data_expiration_seconds"),
        SECRET_LIFETIME_RANGE,
        "The authentication data expiration time",
    )
    _check_range(
        wanted.get("session_lifetime_seconds"), SESSION_LIFETIME_RANGE, "The session lifetime"
    )
    _check_range(
        wanted.get("assistance_code_lifetime_seconds"),
        CODE_LIFETIME_RANGE,
        "The assistance code lifetime",
    )
    for name, rule in TEXT_SETTINGS.items():
        if name in wanted:
            wanted[name] = rule.check(wanted[name])
    return wanted


def _check_range(value: int | None, allowed: range, label: str) -> None:
    if value is not None and value not in allowed:
        raise LacError.bad_input(
            f"{label} must be between {allowed.start} and {allowed.stop - 1} seconds."
        )


def _stored_value(value: bool | int | str) -> str:
    """A value as Magento stores it: flags as "1"/"0", the store view choice as the
    manual-choice flag."""
    if isinstance(value, StoreViewToLogin):
        return "1" if value is StoreViewToLogin.MANUAL_SELECTION else "0"
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


async def _lock_config(ctx: ServiceContext) -> None:
    """Serialize configuration changes until the transaction ends, so each reads the
    values the previous one committed (its log shows true old values).

    PostgreSQL: a table lock that conflicts with itself and with writes but not with
    reads, so requests keep reading the configuration meanwhile. SQLite: the write
    transaction already holds the database's one write lock.
    """
    connection = await ctx.db.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(text("LOCK TABLE config_value IN SHARE ROW EXCLUSIVE MODE"))


async def _store(ctx: ServiceContext, path: str, value: str) -> None:
    """Set the value at `path`, creating the row when the path was never set."""
    await insert_if_missing(ctx.db, ConfigValue, path=path, value=value)
    await ctx.db.exec(update(ConfigValue).where(col(ConfigValue.path) == path).values(value=value))
