"""ACL resources as Magento names them, and the rule for holding them (DESIGN.md section 4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lac.resolvers.auth.principals import CustomerPrincipal, Principal

ALL = "Magento_Backend::all"
CUSTOMERS = "Magento_Customer::manage"
LOGIN_AS_CUSTOMER = "Magento_LoginAsCustomer::login"
LOGIN_AS_CUSTOMER_LOG = "Magento_LoginAsCustomerLog::login_log"
ALLOW_SHOPPING_ASSISTANCE = "Magento_LoginAsCustomer::allow_shopping_assistance"
CONFIG_SECTION = "Magento_LoginAsCustomer::config_section"
LOGGING_EVENTS = "Magento_Logging::magento_logging_events"
CUSTOMER_TOKEN_API = "Magento_LoginAsCustomerApi::token"  # noqa: S105 (an ACL id)
ORDERS = "Magento_Sales::sales_order"
INVOICES = "Magento_Sales::sales_invoice"
SHIPMENTS = "Magento_Sales::shipment"
CREDIT_MEMOS = "Magento_Sales::sales_creditmemo"
ROLES = "Magento_User::acl_roles"
ADMIN_USERS = "Magento_User::acl_users"


@dataclass(frozen=True)
class AclResource:
    id: str
    title: str
    children: tuple[AclResource, ...] = field(default=())


ACL_TREE: tuple[AclResource, ...] = (
    AclResource(ALL, "All"),
    AclResource(
        "Magento_Customer::customer",
        "Customers",
        (
            AclResource(
                "Magento_Customer::manage",
                "All Customers",
                (
                    AclResource(
                        "Magento_Customer::actions",
                        "Actions",
                        (
                            AclResource(
                                "Magento_LoginAsCustomer::allow_shopping_assistance",
                                "Remote shopping assistance opt-in",
                            ),
                        ),
                    ),
                ),
            ),
            AclResource(
                "Magento_LoginAsCustomer::login",
                "Allow Login as Customer",
                (
                    AclResource(
                        "Magento_LoginAsCustomerLog::login_log", "View Login as Customer Log"
                    ),
                ),
            ),
            AclResource("Magento_LoginAsCustomerApi::token", "Generate Login As Customer Token"),
        ),
    ),
    AclResource(
        "Magento_Sales::sales",
        "Sales",
        (
            AclResource("Magento_Sales::sales_order", "Orders"),
            AclResource("Magento_Sales::sales_invoice", "Invoices"),
            AclResource("Magento_Sales::shipment", "Shipments"),
            AclResource("Magento_Sales::sales_creditmemo", "Credit Memos"),
        ),
    ),
    AclResource(
        "Magento_Config::config",
        "Configuration",
        (AclResource("Magento_LoginAsCustomer::config_section", "Login as Customer Section"),),
    ),
    AclResource(
        "Magento_Logging::system_magento_logging",
        "Action Logs",
        (AclResource("Magento_Logging::magento_logging_events", "Admin Actions Log report"),),
    ),
    AclResource(
        "Magento_User::acl",
        "Permissions",
        (
            AclResource("Magento_User::acl_users", "All Users"),
            AclResource("Magento_User::acl_roles", "User Roles"),
        ),
    ),
)


def _walk(nodes: Iterable[AclResource]) -> Iterable[AclResource]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


KNOWN_RESOURCES: frozenset[str] = frozenset(node.id for node in _walk(ACL_TREE))


def holds_all(granted: frozenset[str], required: Iterable[str]) -> bool:
    """Whether a role's grants cover every required resource.

    Only `Magento_Backend::all` implies others; a granted parent grants nothing
    beyond itself.
    """
    return ALL in granted or all(resource in granted for resource in required)


def is_own_customer(principal: Principal, customer_id: int | None) -> bool:
    """Whether the caller is this customer (own or impersonation token): a customer reads
    what is theirs (their account, their orders) without any ACL resource."""
    return isinstance(principal, CustomerPrincipal) and principal.customer.id == customer_id
