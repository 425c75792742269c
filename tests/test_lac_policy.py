"""The Login-as-Customer policy on plain facts: each rule, and which one wins when
several fail at once (DESIGN.md section 7)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from lac.resolvers.acl.resources import ALL, CUSTOMERS, LOGIN_AS_CUSTOMER
from lac.resolvers.auth.principals import AdminPrincipal, AdminSummary, Anonymous, Principal
from lac.resolvers.login_as_customer.policy import (
    CustomerFacts,
    DocumentFacts,
    LacFacts,
    UnavailableReason,
    availability,
    exchange_end_cause,
    request_end_cause,
    unavailable_reason,
)
from lac.resolvers.login_as_customer.session_end import EndCause

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
GOOD_CUSTOMER = CustomerFacts(is_active=True, consents=True, has_active_store_view=True)
ALLOWED = LacFacts(
    feature_enabled=True,
    admin_may_login=True,
    customer=GOOD_CUSTOMER,
    assistance_expires_at=NOW + timedelta(minutes=5),
)


def _customer(facts: LacFacts, **changes: bool) -> LacFacts:
    assert facts.customer is not None
    return replace(facts, customer=replace(facts.customer, **changes))


# How to break each availability rule, in the documented order; guest last so that the
# customer rules can be broken together with the ones before it.
AVAILABILITY_RULES: list[tuple[Callable[[LacFacts], LacFacts], UnavailableReason]] = [
    (lambda f: replace(f, feature_enabled=False), UnavailableReason.FEATURE_DISABLED),
    (lambda f: replace(f, admin_may_login=False), UnavailableReason.PERMISSION_DENIED),
    (lambda f: _customer(f, is_active=False), UnavailableReason.CUSTOMER_INACTIVE),
    (lambda f: _customer(f, consents=False), UnavailableReason.CUSTOMER_CONSENT_REQUIRED),
    (lambda f: _customer(f, has_active_store_view=False), UnavailableReason.NO_STORE_VIEW),
]


def admin(*resources: str) -> AdminPrincipal:
    summary = AdminSummary(id=1, username="admin", firstname="A", lastname="D")
    return AdminPrincipal(token_id=1, admin=summary, role_id=1, resources=frozenset(resources))


def test_allowed_facts_pass_every_rule() -> None:
    assert unavailable_reason(ALLOWED) is None
    assert exchange_end_cause(ALLOWED) is None
    assert request_end_cause(ALLOWED, now=NOW) is None


@pytest.mark.parametrize(("rule", "reason"), AVAILABILITY_RULES)
def test_each_availability_rule(
    rule: Callable[[LacFacts], LacFacts], reason: UnavailableReason
) -> None:
    assert unavailable_reason(rule(ALLOWED)) is reason


def test_a_document_without_customer_is_a_guest_order() -> None:
    assert unavailable_reason(replace(ALLOWED, customer=None)) is UnavailableReason.GUEST_ORDER
    both = replace(ALLOWED, admin_may_login=False, customer=None)
    assert unavailable_reason(both) is UnavailableReason.PERMISSION_DENIED


@pytest.mark.parametrize("first", range(len(AVAILABILITY_RULES)))
def test_the_earliest_failing_availability_rule_wins(first: int) -> None:
    """Break this rule and every later one at once: this rule is the reason."""
    facts = ALLOWED
    for rule, _ in AVAILABILITY_RULES[first:]:
        facts = rule(facts)
    assert unavailable_reason(facts) is AVAILABILITY_RULES[first][1]
    if first >= 2:  # a guest document fails before any rule about its customer
        assert unavailable_reason(replace(facts, customer=None)) is UnavailableReason.GUEST_ORDER


@pytest.mark.parametrize(
    ("facts", "cause"),
    [
        (replace(ALLOWED, feature_enabled=False), EndCause.FEATURE_DISABLED),
        (replace(ALLOWED, admin_may_login=False), EndCause.ADMIN_REVOKED),
        (
            replace(ALLOWED, customer=replace(GOOD_CUSTOMER, consents=False)),
            EndCause.CONSENT_REVOKED,
        ),
        # a customer made inactive ends it as such (section 15), before their consent
        (
            replace(ALLOWED, customer=replace(GOOD_CUSTOMER, is_active=False)),
            EndCause.CUSTOMER_DEACTIVATED,
        ),
        (
            replace(ALLOWED, customer=replace(GOOD_CUSTOMER, is_active=False, consents=False)),
            EndCause.CUSTOMER_DEACTIVATED,
        ),
        # a vanished customer may no longer be assisted either
        (replace(ALLOWED, customer=None), EndCause.CONSENT_REVOKED),
        # no store view is an availability rule only: a running session goes on
        (replace(ALLOWED, customer=replace(GOOD_CUSTOMER, has_active_store_view=False)), None),
    ],
)
def test_each_exchange_and_request_rule(facts: LacFacts, cause: EndCause | None) -> None:
    assert exchange_end_cause(facts) is cause
    assert request_end_cause(facts, now=NOW) is cause


def test_exchange_and_request_order_when_rules_fail_together() -> None:
    nothing_holds = LacFacts(
        feature_enabled=False,
        admin_may_login=False,
        customer=None,
        assistance_expires_at=NOW,
    )
    assert request_end_cause(nothing_holds, now=NOW) is EndCause.EXPIRED
    assert exchange_end_cause(nothing_holds) is EndCause.FEATURE_DISABLED
    admin_and_consent = replace(ALLOWED, admin_may_login=False, customer=None)
    assert exchange_end_cause(admin_and_consent) is EndCause.ADMIN_REVOKED
    assert request_end_cause(admin_and_consent, now=NOW) is EndCause.ADMIN_REVOKED


@pytest.mark.parametrize(
    ("expires_at", "cause"),
    [
        (None, EndCause.EXPIRED),  # never activated
        (NOW - timedelta(seconds=1), EndCause.EXPIRED),
        (NOW, EndCause.EXPIRED),  # the end instant itself is past
        (NOW + timedelta(seconds=1), None),
    ],
)
def test_request_recheck_expiry(expires_at: datetime | None, cause: EndCause | None) -> None:
    assert request_end_cause(replace(ALLOWED, assistance_expires_at=expires_at), now=NOW) is cause


@pytest.mark.parametrize(
    ("principal", "reason"),
    [
        (admin(LOGIN_AS_CUSTOMER), None),
        (admin(ALL), None),
        (admin(CUSTOMERS), UnavailableReason.PERMISSION_DENIED),
        (Anonymous(), UnavailableReason.PERMISSION_DENIED),
    ],
)
def test_availability_for_a_caller(principal: Principal, reason: UnavailableReason | None) -> None:
    document = DocumentFacts(feature_enabled=True, customer=GOOD_CUSTOMER)
    assert availability(principal, document) is reason
    # the feature flag is checked before the caller's permission
    disabled = replace(document, feature_enabled=False)
    assert availability(principal, disabled) is UnavailableReason.FEATURE_DISABLED
