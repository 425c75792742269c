"""Login-as-Customer configuration: global scope, stored at Magento's config paths, Magento's
defaults when unset (DESIGN.md section 6)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import ConfigValue

ENABLED_PATH = "login_as_customer/general/enabled"
DISABLE_PAGE_CACHE_PATH = "login_as_customer/general/disable_page_cache"
STORE_VIEW_MANUAL_CHOICE_PATH = "login_as_customer/general/store_view_manual_choice_enabled"
SECRET_LIFETIME_PATH = "login_as_customer/general/authentication_data_expiration_time"  # noqa: S105
SESSION_LIFETIME_PATH = "lac/login_as_customer/session_lifetime"
REQUIRE_REASON_PATH = "lac/login_as_customer/require_reason"
CHECKBOX_TITLE_PATH = "login_as_customer/general/shopping_assistance_checkbox_title"
CHECKBOX_TOOLTIP_PATH = "login_as_customer/general/shopping_assistance_checkbox_tooltip"

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
)


async def load_config(session: AsyncSession) -> LoginAsCustomerConfig:
    """The whole Login-as-Customer configuration in one statement."""
    rows = (
        await session.exec(
            select(ConfigValue.path, ConfigValue.value).where(col(ConfigValue.path).in_(ALL_PATHS))
        )
    ).all()
    return config_from_values(dict(rows))
