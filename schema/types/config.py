"""The Login-as-Customer configuration, for admins and (its public part) for storefronts."""

from __future__ import annotations

import strawberry

from lac.resolvers.login_as_customer import config
from lac.resolvers.login_as_customer.config import StoreViewToLogin

strawberry.enum(
    StoreViewToLogin,
    name="StoreViewToLogin",
    description=(
        "Which store view an admin logs in to: AUTO_DETECTION (the customer's own, else "
        "the website's default) or MANUAL_SELECTION (the admin picks one)."
    ),
)


@strawberry.type(
    description="Login as Customer settings (global scope, Magento's defaults when unset)."
)
class LoginAsCustomerConfig:
    enabled: bool = strawberry.field(
        description="Whether Login as Customer is on (default false). Turning it off ends "
        "every live session."
    )
    disable_page_cache_for_admin_user: bool = strawberry.field(
        description="Whether pages seen while impersonating are sent with "
        "`Cache-Control: no-store` (default true)."
    )
    store_view_to_login: StoreViewToLogin = strawberry.field(
        description="How the store view of a new session is chosen (default AUTO_DETECTION)."
    )
    authentication_data_expiration_seconds: int = strawberry.field(
        description="How long a login secret stays valid, 10..3600 seconds (default 60)."
    )
    session_lifetime_seconds: int = strawberry.field(
        description="How long an exchanged session lasts, 60..86400 seconds (default 3600)."
    )
    require_reason: bool = strawberry.field(
        description="Whether starting a session needs a reason (default false)."
    )
    shopping_assistance_checkbox_title: str = strawberry.field(
        description="The label of the storefront's consent checkbox."
    )
    shopping_assistance_checkbox_tooltip: str = strawberry.field(
        description="The tooltip of the storefront's consent checkbox."
    )
    allow_assistance_codes: bool = strawberry.field(
        description="Whether customers may give one-time assistance codes (default true)."
    )
    assistance_code_lifetime_seconds: int = strawberry.field(
        description="How long an assistance code stays valid, 60..3600 seconds (default 600)."
    )
    default_read_only: bool = strawberry.field(
        description="Whether a session is read-only when `loginAsCustomer` does not say "
        "(default false)."
    )

    @classmethod
    def from_config(cls, values: config.LoginAsCustomerConfig) -> LoginAsCustomerConfig:
        return cls(
            enabled=values.enabled,
            disable_page_cache_for_admin_user=values.disable_page_cache_for_admin_user,
            store_view_to_login=values.store_view_to_login,
            authentication_data_expiration_seconds=values.authentication_data_expiration_seconds,
            session_lifetime_seconds=values.session_lifetime_seconds,
            require_reason=values.require_reason,
            shopping_assistance_checkbox_title=values.shopping_assistance_checkbox_title,
            shopping_assistance_checkbox_tooltip=values.shopping_assistance_checkbox_tooltip,
            allow_assistance_codes=values.allow_assistance_codes,
            assistance_code_lifetime_seconds=values.assistance_code_lifetime_seconds,
            default_read_only=values.default_read_only,
        )


@strawberry.type(
    description="What a storefront needs to render the consent checkbox; readable by anyone."
)
class StorefrontLoginAsCustomerConfig:
    enabled: bool = strawberry.field(description="Whether Login as Customer is on.")
    shopping_assistance_checkbox_title: str = strawberry.field(
        description="The label of the consent checkbox ('Allow remote shopping assistance')."
    )
    shopping_assistance_checkbox_tooltip: str = strawberry.field(
        description="The tooltip of the consent checkbox."
    )

    @classmethod
    def from_config(cls, values: config.LoginAsCustomerConfig) -> StorefrontLoginAsCustomerConfig:
        return cls(
            enabled=values.enabled,
            shopping_assistance_checkbox_title=values.shopping_assistance_checkbox_title,
            shopping_assistance_checkbox_tooltip=values.shopping_assistance_checkbox_tooltip,
        )


@strawberry.input(
    description="Changes to the Login as Customer settings; omitted (or null) fields keep "
    "their value. One invalid value changes nothing."
)
class LoginAsCustomerConfigInput:
    enabled: bool | None = strawberry.field(
        default=None, description="Turn the feature on or off; off ends every live session."
    )
    disable_page_cache_for_admin_user: bool | None = strawberry.field(
        default=None, description="Send impersonated pages with `Cache-Control: no-store`."
    )
    store_view_to_login: StoreViewToLogin | None = strawberry.field(
        default=None, description="How the store view of a new session is chosen."
    )
    authentication_data_expiration_seconds: int | None = strawberry.field(
        default=None,
        description="Login secret lifetime, 10..3600 seconds; else BAD_USER_INPUT.",
    )
    session_lifetime_seconds: int | None = strawberry.field(
        default=None,
        description="Session lifetime, 60..86400 seconds; else BAD_USER_INPUT.",
    )
    require_reason: bool | None = strawberry.field(
        default=None, description="Whether starting a session needs a reason."
    )
    shopping_assistance_checkbox_title: str | None = strawberry.field(
        default=None,
        description="Consent checkbox label, trimmed; empty or over 255 characters is "
        "BAD_USER_INPUT.",
    )
    shopping_assistance_checkbox_tooltip: str | None = strawberry.field(
        default=None,
        description="Consent checkbox tooltip, trimmed; at most 2000 characters.",
    )
    allow_assistance_codes: bool | None = strawberry.field(
        default=None, description="Let customers give one-time assistance codes."
    )
    assistance_code_lifetime_seconds: int | None = strawberry.field(
        default=None,
        description="Assistance code lifetime, 60..3600 seconds; else BAD_USER_INPUT.",
    )
    default_read_only: bool | None = strawberry.field(
        default=None, description="Make sessions read-only unless `loginAsCustomer` says."
    )

    def to_update(self) -> config.ConfigUpdate:
        return config.ConfigUpdate(
            enabled=self.enabled,
            disable_page_cache_for_admin_user=self.disable_page_cache_for_admin_user,
            store_view_to_login=self.store_view_to_login,
            authentication_data_expiration_seconds=self.authentication_data_expiration_seconds,
            session_lifetime_seconds=self.session_lifetime_seconds,
            require_reason=self.require_reason,
            shopping_assistance_checkbox_title=self.shopping_assistance_checkbox_title,
            shopping_assistance_checkbox_tooltip=self.shopping_assistance_checkbox_tooltip,
            allow_assistance_codes=self.allow_assistance_codes,
            assistance_code_lifetime_seconds=self.assistance_code_lifetime_seconds,
            default_read_only=self.default_read_only,
        )
