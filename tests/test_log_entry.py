"""A log entry is declared once (resolvers/log_entry.py): the chain seals every column but
the ones excluded with a reason, the GraphQL type shows every column, and the hashes of
entries already written never change."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from lac.db.models import AdminActionLogEntry
from lac.resolvers.log.chain import canonical, seal
from lac.resolvers.log.entry import LOG_FIELDS, NOT_CHAINED
from lac.schema.types.audit import AdminActionLogEntry as AdminActionLogEntryType

MODEL_COLUMNS = set(AdminActionLogEntry.__table__.columns.keys())  # type: ignore[attr-defined]


def full_entry() -> AdminActionLogEntry:
    return AdminActionLogEntry(
        id=7,
        time=datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC),
        action_group="LOGIN_AS_CUSTOMER",
        action="login_as_customer.start",
        result="SUCCESS",
        username="ädmin",
        admin_id=3,
        admin_username="ädmin",
        admin_firstname="Ä",
        admin_lastname="D",
        ip_address="198.51.100.9",
        user_agent="ua",
        full_action_name="mutation X.y",
        customer_id=5,
        customer_email="c@example.com",
        customer_name="C D",
        login_as_customer_session_id=11,
        details='{"b": 1, "a": "é"}',
        hash="ff",
    )


def test_every_model_column_is_declared() -> None:
    assert {field.column for field in LOG_FIELDS} == MODEL_COLUMNS


def test_the_chain_seals_every_column_but_the_excluded_ones() -> None:
    sealed = set(json.loads(canonical(full_entry())))
    chain_key = {field.column: field.chain_key for field in LOG_FIELDS}
    expected = {chain_key[column] for column in MODEL_COLUMNS - set(NOT_CHAINED)}
    assert sealed == expected
    assert all(reason for reason in NOT_CHAINED.values())


def test_the_graphql_type_shows_every_column() -> None:
    definition = AdminActionLogEntryType.__strawberry_definition__  # type: ignore[attr-defined]
    shown = {field.python_name for field in definition.fields}
    assert shown == {field.graphql_field for field in LOG_FIELDS}


def test_the_canonical_form_and_hash_of_an_entry_are_as_they_always_were() -> None:
    """Pinned from before the declaration existed: entries already written still verify."""
    assert canonical(full_entry()) == (
        '{"action":"login_as_customer.start","actionGroup":"LOGIN_AS_CUSTOMER",'
        '"adminFirstname":"Ä","adminId":3,"adminLastname":"D","adminUsername":"ädmin",'
        '"customerEmail":"c@example.com","customerId":5,"customerName":"C D",'
        '"details":{"a":"é","b":1},"fullActionName":"mutation X.y",'
        '"ipAddress":"198.51.100.9","loginAsCustomerSessionId":11,"result":"SUCCESS",'
        '"sequence":7,"time":"2026-05-04T03:02:01.123456+00:00","userAgent":"ua",'
        '"username":"ädmin"}'
    )
    assert seal("ab", full_entry()) == (
        "469e3e555795c0612b3a857b086a5e00a33ba18558a35789a32ddb2180c6b529"
    )
