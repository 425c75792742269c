"""The Login-as-Customer configuration over HTTP: Magento's defaults, stored values, partial
updates, validation, the log, the public storefront part and FEATURE_DISABLED session ends
(DESIGN.md sections 6, 8, 13)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.models import ConfigValue
from lac.resolvers.login_as_customer.config import (
    CHECKBOX_TITLE_PATH,
    CHECKBOX_TOOLTIP_PATH,
    DISABLE_PAGE_CACHE_PATH,
    ENABLED_PATH,
    REQUIRE_REASON_PATH,
    SECRET_LIFETIME_PATH,
    SESSION_LIFETIME_PATH,
    STORE_VIEW_MANUAL_CHOICE_PATH,
)
from tests.sessions import (
    ME,
    assert_ended,
    details,
    error_of,
    log,
    session_row,
    start_live_session,
)
from tests.support import Api

FIELDS = """
enabled disablePageCacheForAdminUser storeViewToLogin authenticationDataExpirationSeconds
sessionLifetimeSeconds requireReason shoppingAssistanceCheckboxTitle
shoppingAssistanceCheckboxTooltip
"""
CONFIG = f"query Config {{ loginAsCustomerConfig {{ {FIELDS} }} }}"
UPDATE = f"""
mutation UpdateConfig($input: LoginAsCustomerConfigInput!) {{
  updateLoginAsCustomerConfig(input: $input) {{ {FIELDS} }}
}}
"""
STOREFRONT = """
query Storefront {
  storefrontLoginAsCustomerConfig {
    enabled shoppingAssistanceCheckboxTitle shoppingAssistanceCheckboxTooltip
  }
}
"""
TITLE = "Allow remote shopping assistance"
TOOLTIP = (
    'This allows merchants to "see what you see" and take actions on your behalf in order to '
    "provide better assistance."
)
DEFAULTS = {
    "enabled": False,
    "disablePageCacheForAdminUser": True,
    "storeViewToLogin": "AUTO_DETECTION",
    "authenticationDataExpirationSeconds": 60,
    "sessionLifetimeSeconds": 3600,
    "requireReason": False,
    "shoppingAssistanceCheckboxTitle": TITLE,
    "shoppingAssistanceCheckboxTooltip": TOOLTIP,
}
SEEDED = {**DEFAULTS, "enabled": True}
CHANGED = {
    "enabled": True,
    "disablePageCacheForAdminUser": False,
    "storeViewToLogin": "MANUAL_SELECTION",
    "authenticationDataExpirationSeconds": 120,
    "sessionLifetimeSeconds": 7200,
    "requireReason": True,
    "shoppingAssistanceCheckboxTitle": "Let us help",
    "shoppingAssistanceCheckboxTooltip": "",
}


async def admin(api: Api) -> str:
    return await api.admin_token("admin", "Admin123!")


async def read(api: Api, token: str) -> dict[str, Any]:
    config: dict[str, Any] = (await api.data(CONFIG, token=token))["loginAsCustomerConfig"]
    return config


async def stored(db_session: AsyncSession) -> dict[str, str]:
    await db_session.rollback()
    return dict((await db_session.exec(select(ConfigValue.path, ConfigValue.value))).all())


async def forget_all_config(db_session: AsyncSession) -> None:
    await db_session.exec(delete(ConfigValue))
    await db_session.commit()


# --- reading ---------------------------------------------------------------------------------


async def test_seeded_config_is_enabled_with_magento_defaults(api: Api) -> None:
    assert await read(api, await admin(api)) == SEEDED


async def test_magento_defaults_when_nothing_is_stored(api: Api, db_session: AsyncSession) -> None:
    await forget_all_config(db_session)
    assert await read(api, await admin(api)) == DEFAULTS
    assert (await api.data(STOREFRONT))["storefrontLoginAsCustomerConfig"] == {
        "enabled": False,
        "shoppingAssistanceCheckboxTitle": TITLE,
        "shoppingAssistanceCheckboxTooltip": TOOLTIP,
    }


async def test_storefront_config_needs_no_token(api: Api) -> None:
    response = await api.post(STOREFRONT)
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "storefrontLoginAsCustomerConfig": {
                "enabled": True,
                "shoppingAssistanceCheckboxTitle": TITLE,
                "shoppingAssistanceCheckboxTooltip": TOOLTIP,
            }
        }
    }
    for token in (await api.customer_token("jane.doe@example.com", "Customer123!"), "bogus"):
        assert (await api.data(STOREFRONT, token=token))["storefrontLoginAsCustomerConfig"][
            "enabled"
        ]


# --- updating --------------------------------------------------------------------------------


async def test_update_stores_magento_values_and_logs_the_changes(
    api: Api, db_session: AsyncSession
) -> None:
    token = await admin(api)
    updated = (await api.data(UPDATE, {"input": CHANGED}, token=token))[
        "updateLoginAsCustomerConfig"
    ]
    assert updated == CHANGED
    assert await read(api, token) == CHANGED
    assert await stored(db_session) == {
        ENABLED_PATH: "1",
        DISABLE_PAGE_CACHE_PATH: "0",
        STORE_VIEW_MANUAL_CHOICE_PATH: "1",
        SECRET_LIFETIME_PATH: "120",
        SESSION_LIFETIME_PATH: "7200",
        REQUIRE_REASON_PATH: "1",
        CHECKBOX_TITLE_PATH: "Let us help",
        CHECKBOX_TOOLTIP_PATH: "",
    }
    [entry] = await log(db_session, "config.update")
    assert (entry.result, entry.action_group, entry.username, entry.admin_username) == (
        "SUCCESS",
        "STORES_CONFIG",
        "admin",
        "admin",
    )
    assert entry.full_action_name == "mutation UpdateConfig.updateLoginAsCustomerConfig"
    assert details(entry) == {
        "changes": {
            name: {"old": SEEDED[name], "new": value}
            for name, value in CHANGED.items()
            if SEEDED[name] != value
        }
    }
    assert "enabled" not in details(entry)["changes"]


async def test_omitted_fields_keep_their_value(api: Api, db_session: AsyncSession) -> None:
    token = await admin(api)
    await api.data(UPDATE, {"input": CHANGED}, token=token)
    updated = (
        await api.data(
            UPDATE,
            {
                "input": {
                    "storeViewToLogin": "AUTO_DETECTION",
                    "shoppingAssistanceCheckboxTitle": None,
                }
            },
            token=token,
        )
    )["updateLoginAsCustomerConfig"]
    assert updated == {**CHANGED, "storeViewToLogin": "AUTO_DETECTION"}
    assert (await stored(db_session))[STORE_VIEW_MANUAL_CHOICE_PATH] == "0"
    _, second = await log(db_session, "config.update")
    assert details(second) == {
        "changes": {"storeViewToLogin": {"old": "MANUAL_SELECTION", "new": "AUTO_DETECTION"}}
    }


async def test_an_update_without_changes_is_logged_with_none(
    api: Api, db_session: AsyncSession
) -> None:
    token = await admin(api)
    updated = (
        await api.data(
            UPDATE, {"input": {"enabled": True, "sessionLifetimeSeconds": 3600}}, token=token
        )
    )["updateLoginAsCustomerConfig"]
    assert updated == SEEDED
    assert await stored(db_session) == {ENABLED_PATH: "1"}  # defaults stay unset
    [entry] = await log(db_session, "config.update")
    assert (entry.result, details(entry)) == ("SUCCESS", {"changes": {}})


async def test_update_creates_rows_never_stored(api: Api, db_session: AsyncSession) -> None:
    await forget_all_config(db_session)
    token = await admin(api)
    updated = (
        await api.data(
            UPDATE,
            {"input": {"enabled": True, "shoppingAssistanceCheckboxTitle": "  Help me  "}},
            token=token,
        )
    )["updateLoginAsCustomerConfig"]
    assert updated == {**DEFAULTS, "enabled": True, "shoppingAssistanceCheckboxTitle": "Help me"}
    assert await stored(db_session) == {ENABLED_PATH: "1", CHECKBOX_TITLE_PATH: "Help me"}
    assert (await api.data(STOREFRONT))["storefrontLoginAsCustomerConfig"] == {
        "enabled": True,
        "shoppingAssistanceCheckboxTitle": "Help me",
        "shoppingAssistanceCheckboxTooltip": TOOLTIP,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("authenticationDataExpirationSeconds", 10),
        ("authenticationDataExpirationSeconds", 3600),
        ("sessionLifetimeSeconds", 60),
        ("sessionLifetimeSeconds", 86400),
    ],
)
async def test_range_limits_are_allowed(api: Api, field: str, value: int) -> None:
    updated = (await api.data(UPDATE, {"input": {field: value}}, token=await admin(api)))[
        "updateLoginAsCustomerConfig"
    ]
    assert updated[field] == value


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("authenticationDataExpirationSeconds", 9, "between 10 and 3600 seconds"),
        ("authenticationDataExpirationSeconds", 3601, "between 10 and 3600 seconds"),
        ("authenticationDataExpirationSeconds", -60, "between 10 and 3600 seconds"),
        ("sessionLifetimeSeconds", 59, "between 60 and 86400 seconds"),
        ("sessionLifetimeSeconds", 86401, "between 60 and 86400 seconds"),
        ("shoppingAssistanceCheckboxTitle", "", "title is required"),
        ("shoppingAssistanceCheckboxTitle", "   ", "title is required"),
        ("shoppingAssistanceCheckboxTitle", "x" * 256, "at most 255 characters"),
        ("shoppingAssistanceCheckboxTooltip", "x" * 2001, "at most 2000 characters"),
    ],
)
async def test_invalid_values_change_nothing(
    api: Api,
    db_session: AsyncSession,
    clock: ManualClock,
    field: str,
    value: object,
    message: str,
) -> None:
    token = await admin(api)
    session = await start_live_session(db_session, clock)
    input_ = {"enabled": False, "requireReason": True, field: value}
    code, got = await error_of(api, UPDATE, {"input": input_}, token=token)
    assert code == "BAD_USER_INPUT"
    assert message in got
    assert await read(api, token) == SEEDED
    assert await stored(db_session) == {ENABLED_PATH: "1"}
    assert (await session_row(db_session, session.id)).state == "ACTIVE"
    [entry] = await log(db_session, "config.update")
    assert (entry.result, details(entry)) == ("FAILURE", {"code": "BAD_USER_INPUT"})


async def test_unknown_store_view_choice_is_bad_input(api: Api) -> None:
    code = await api.error_code(
        "mutation { updateLoginAsCustomerConfig(input: {storeViewToLogin: SOMETIMES}) { enabled } }",
        token=await admin(api),
    )
    assert code == "BAD_USER_INPUT"


# --- turning the feature off ----------------------------------------------------------------


async def test_disabling_ends_every_live_session(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    session = await start_live_session(db_session, clock)
    assert await api.data(ME, token=session.token)
    token = await admin(api)
    clock.advance(minutes=10)
    updated = (await api.data(UPDATE, {"input": {"enabled": False}}, token=token))[
        "updateLoginAsCustomerConfig"
    ]
    assert updated == {**SEEDED, "enabled": False}
    assert (await stored(db_session))[ENABLED_PATH] == "0"
    await assert_ended(api, db_session, session, "FEATURE_DISABLED", clock.now())
    [entry] = await log(db_session, "config.update")
    assert details(entry) == {"changes": {"enabled": {"old": True, "new": False}}}
    assert (await api.data(STOREFRONT))["storefrontLoginAsCustomerConfig"]["enabled"] is False


async def test_other_changes_leave_live_sessions_alone(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    session = await start_live_session(db_session, clock)
    token = await admin(api)
    await api.data(UPDATE, {"input": {"requireReason": True, "enabled": True}}, token=token)
    assert (await session_row(db_session, session.id)).state == "ACTIVE"
    assert await api.data(ME, token=session.token)
    assert await log(db_session, "login_as_customer.end") == []


async def test_enabling_again_ends_nothing(api: Api, db_session: AsyncSession) -> None:
    token = await admin(api)
    await api.data(UPDATE, {"input": {"enabled": False}}, token=token)
    updated = (await api.data(UPDATE, {"input": {"enabled": True}}, token=token))[
        "updateLoginAsCustomerConfig"
    ]
    assert updated["enabled"] is True
    second = (await log(db_session, "config.update"))[1]
    assert details(second) == {"changes": {"enabled": {"old": False, "new": True}}}
    assert await log(db_session, "login_as_customer.end") == []


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["support", "viewer", "auditor", "customer", "impersonation"])
async def test_only_config_section_holders_read_and_update(
    api: Api, db_session: AsyncSession, clock: ManualClock, caller: str
) -> None:
    passwords = {"support": "Support123!", "viewer": "Viewer123!", "auditor": "Auditor123!"}
    if caller in passwords:
        token = await api.admin_token(caller, passwords[caller])
    elif caller == "customer":
        token = await api.customer_token("jane.doe@example.com", "Customer123!")
    else:
        token = (await start_live_session(db_session, clock)).token
    assert (await error_of(api, CONFIG, token=token))[0] == "FORBIDDEN"
    variables = {"input": {"enabled": False}}
    assert (await error_of(api, UPDATE, variables, token=token))[0] == "FORBIDDEN"
    assert await stored(db_session) == {ENABLED_PATH: "1"}
    assert await log(db_session, "config.update") == []


async def test_strangers_are_unauthenticated(api: Api, db_session: AsyncSession) -> None:
    assert (await error_of(api, CONFIG, token=None))[0] == "UNAUTHENTICATED"
    assert (await error_of(api, UPDATE, {"input": {"enabled": False}}, token=None))[
        0
    ] == "UNAUTHENTICATED"
    assert await stored(db_session) == {ENABLED_PATH: "1"}


async def test_a_role_granted_config_section_may_update(api: Api, db_session: AsyncSession) -> None:
    token = await admin(api)
    role = (
        await api.data(
            'mutation { createRole(input: {name: "Config", resources: '
            '["Magento_LoginAsCustomer::config_section"]}) { id } }',
            token=token,
        )
    )["createRole"]
    await api.data(
        'mutation($role: ID!) { createAdminUser(input: {username: "configurer",'
        ' email: "configurer@example.com", firstname: "Con", lastname: "Figurer",'
        ' password: "Config1234", roleId: $role}) { id } }',
        {"role": role["id"]},
        token=token,
    )
    configurer = await api.admin_token("configurer", "Config1234")
    updated = (await api.data(UPDATE, {"input": {"requireReason": True}}, token=configurer))[
        "updateLoginAsCustomerConfig"
    ]
    assert updated["requireReason"] is True
    [entry] = await log(db_session, "config.update")
    assert entry.username == "configurer"
