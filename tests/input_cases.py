"""Every String and ID argument of the schema, as a call that sends it one crafted value.

`CASES` names each argument (and input field) once, with the caller it needs, the answer a
crafted value gets and the FAILURE entry the refusal leaves; `text_arguments` reads the
same set from the live schema, so a new argument without a case fails the suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLInputObjectType, GraphQLInputType, GraphQLObjectType, get_named_type

from lac.schema.build import schema
from tests.sessions import JANE

BAD = object()  # where a case's variables take the crafted value


@dataclass(frozen=True)
class Case:
    """One argument sent a crafted value: who calls, the answer, the FAILURE entry it leaves."""

    argument: str  # Type.field.argument[.inputField]
    query: str  # one operation whose variables hold BAD once
    variables: dict[str, Any]
    caller: str  # admin | customer | impersonation | anonymous
    code: str = "BAD_USER_INPUT"
    logged: str | None = None  # the action of the FAILURE entry the refusal writes
    password: bool = False  # hashed, never stored: no length limit applies
    cursor: str | None = None  # the kind of cursor an `after` argument takes

    def with_value(self, value: str) -> dict[str, Any]:
        return _substituted(self.variables, value)  # type: ignore[no-any-return]


def _substituted(template: Any, value: str) -> Any:
    if template is BAD:
        return value
    if isinstance(template, dict):
        return {key: _substituted(item, value) for key, item in template.items()}
    if isinstance(template, list):
        return [_substituted(item, value) for item in template]
    return template


def argument(
    operation: str,
    field: str,
    name: str,
    graphql_type: str,
    caller: str,
    *,
    rest: str = "",
    selection: str = "{ __typename }",
    **outcome: Any,
) -> Case:
    """`field(name: <crafted>, rest)` in a query or mutation."""
    query = f"{operation} Q($value: {graphql_type}) {{ {field}({name}: $value{rest}) {selection} }}"
    root = "Query" if operation == "query" else "Mutation"
    return Case(f"{root}.{field}.{name}", query, {"value": BAD}, caller, **outcome)


def input_fields(
    operation: str,
    field: str,
    input_type: str,
    values: dict[str, Any],
    caller: str,
    *,
    name: str = "input",
    given: str = "",
    alone: bool = False,
    **outcome: Any,
) -> Iterator[Case]:
    """One case per field of an input object: that field crafted, the others as in
    `values` (or absent, `alone`); `given` are the field's other arguments."""
    query = (
        f"{operation} Q($value: {input_type}) {{ {field}({given}{name}: $value) {{ __typename }} }}"
    )
    root = "Query" if operation == "query" else "Mutation"
    for key, valid in values.items():
        crafted = [BAD] if isinstance(valid, list) else BAD
        sent = {key: crafted} if alone else {**values, key: crafted}
        yield Case(
            f"{root}.{field}.{name}.{key}",
            query,
            {"value": sent},
            caller,
            password=key == "password",
            **outcome,
        )


def _sales() -> Iterator[Case]:
    for many, one in (
        ("orders", "order"),
        ("invoices", "invoice"),
        ("shipments", "shipment"),
        ("creditMemos", "creditMemo"),
    ):
        filters = {"incrementId": "", "storeViewCode": "", "customerId": ""}
        yield from input_fields(
            "query", many, "SalesDocumentFilter", filters, "admin", name="filter", alone=True
        )
        yield argument("query", many, "after", "String", "admin", cursor="id")
        yield argument("query", one, "id", "ID!", "admin")


NEW_ADMIN = {
    "username": "clerk",
    "email": "clerk@example.com",
    "firstname": "Cleo",
    "lastname": "Clerk",
    "password": "Clerk12345",
    "roleId": "3",
}
ADMIN_LOGIN = (
    "mutation Q($u: String!, $p: String!) { adminLogin(username: $u, password: $p) { token } }"
)
CUSTOMER_LOGIN = (
    "mutation Q($e: String!, $p: String!, $w: String!) "
    "{ customerLogin(email: $e, password: $p, websiteCode: $w) { token } }"
)
CHANGE_PASSWORD = "mutation Q($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, newPassword: $n) }"

# fmt: off
CASES: list[Case] = [
    *input_fields("query", "customers", "CustomerFilter", dict.fromkeys(("email", "name", "websiteCode"), ""), "admin", name="filter", alone=True),
    argument("query", "customers", "after", "String", "admin", cursor="id"),
    argument("query", "customer", "id", "ID!", "admin"),
    Case("Customer.orders.after", 'query Q($value: String) { customer(id: "1") { orders(after: $value) { totalCount } } }', {"value": BAD}, "admin", cursor="id"),
    *_sales(),
    argument("query", "role", "id", "ID!", "admin"),
    *input_fields("query", "adminActionLog", "AdminActionLogFilter", {"actions": [""], "usernames": [""], "ipAddress": "", "customerId": ""}, "admin", name="filter", alone=True),
    argument("query", "adminActionLog", "after", "String", "admin", cursor="log"),
    *input_fields("query", "loginAsCustomerLog", "LoginAsCustomerLogFilter", {"adminUsername": "", "customerId": ""}, "admin", name="filter", alone=True),
    argument("query", "loginAsCustomerLog", "after", "String", "admin", cursor="session"),
    argument("query", "myAssistanceSessions", "after", "String", "customer", cursor="session"),
    # sign-in: a name or password no account can have is a wrong sign-in like any other,
    # counted towards the lockout and the rate limit (no oracle, no way around either)
    Case("Mutation.adminLogin.username", ADMIN_LOGIN, {"u": BAD, "p": "Admin123!"}, "anonymous", "UNAUTHENTICATED", "admin.login_failed"),
    Case("Mutation.adminLogin.password", ADMIN_LOGIN, {"u": "admin", "p": BAD}, "anonymous", "UNAUTHENTICATED", "admin.login_failed", password=True),
    Case("Mutation.customerLogin.email", CUSTOMER_LOGIN, {"e": BAD, "p": "Customer123!", "w": "base"}, "anonymous", "UNAUTHENTICATED"),
    Case("Mutation.customerLogin.password", CUSTOMER_LOGIN, {"e": JANE, "p": BAD, "w": "base"}, "anonymous", "UNAUTHENTICATED", password=True),
    Case("Mutation.customerLogin.websiteCode", CUSTOMER_LOGIN, {"e": JANE, "p": "Customer123!", "w": BAD}, "anonymous", "UNAUTHENTICATED"),
    argument("mutation", "exchangeLoginAsCustomerSecret", "secret", "String!", "anonymous", selection="{ token }", code="SECRET_INVALID_OR_EXPIRED", logged="login_as_customer.exchange"),
    *input_fields("mutation", "createRole", "CreateRoleInput!", {"name": "Clerks", "resources": ["Magento_Sales::sales_order"]}, "admin", logged="role.create"),
    argument("mutation", "updateRole", "id", "ID!", "admin", rest=', input: {name: "Renamed"}', logged="role.update"),
    *input_fields("mutation", "updateRole", "UpdateRoleInput!", {"name": "Renamed", "resources": []}, "admin", given='id: "2", ', logged="role.update"),
    argument("mutation", "deleteRole", "id", "ID!", "admin", selection="", logged="role.delete"),
    *input_fields("mutation", "createAdminUser", "CreateAdminUserInput!", NEW_ADMIN, "admin", logged="admin_user.create"),
    argument("mutation", "updateAdminUser", "id", "ID!", "admin", rest=', input: {firstname: "Vera"}', logged="admin_user.update"),
    *input_fields("mutation", "updateAdminUser", "UpdateAdminUserInput!", {key: NEW_ADMIN[key] for key in ("email", "firstname", "lastname", "password", "roleId")}, "admin", given='id: "3", ', alone=True, logged="admin_user.update"),
    *input_fields("mutation", "updateLoginAsCustomerConfig", "LoginAsCustomerConfigInput!", {"shoppingAssistanceCheckboxTitle": "Allow", "shoppingAssistanceCheckboxTooltip": "Yes"}, "admin", logged="config.update"),
    argument("mutation", "setRemoteShoppingAssistance", "customerId", "ID!", "admin", rest=", allowed: false", logged="consent.update"),
    *input_fields("mutation", "loginAsCustomer", "LoginAsCustomerInput!", {"customerId": "1", "storeViewId": "1", "reason": "Call", "consentCode": "123456"}, "admin", logged="login_as_customer.start"),
    argument("mutation", "terminateLoginAsCustomerSession", "id", "ID!", "admin", logged="login_as_customer.end"),
    *input_fields("mutation", "generateCustomerTokenAsAdmin", "GenerateCustomerTokenAsAdminInput!", {"customer_email": JANE, "website_code": "base", "store_view_code": "default", "reason": "Call"}, "admin", logged="login_as_customer.start"),
    # the acting admin's storefront changes are logged; the customer's own are not
    *input_fields("mutation", "updateMyAccount", "UpdateMyAccountInput!", {"firstname": ""}, "impersonation", alone=True, logged="account.update"),
    *input_fields("mutation", "updateMyAccount", "UpdateMyAccountInput!", {"lastname": "", "email": ""}, "customer", alone=True),
    Case("Mutation.changeMyPassword.currentPassword", CHANGE_PASSWORD, {"c": BAD, "n": "Better12345"}, "customer"),
    Case("Mutation.changeMyPassword.newPassword", CHANGE_PASSWORD, {"c": "Customer123!", "n": BAD}, "customer", password=True),
    argument("mutation", "addToCart", "sku", "String!", "impersonation", logged="cart.add"),
    argument("mutation", "removeCartItem", "itemId", "ID!", "impersonation", logged="cart.remove"),
]
# fmt: on


def text_arguments(*type_names: str) -> set[str]:
    """Every argument (and input field) of the schema whose type is one of `type_names`."""
    found: set[str] = set()

    def visit(path: str, kind: GraphQLInputType) -> None:
        named = get_named_type(kind)
        if isinstance(named, GraphQLInputObjectType):
            for name, input_field in named.fields.items():
                visit(f"{path}.{name}", input_field.type)
        elif named.name in type_names:
            found.add(path)

    for type_name, graphql_type in schema._schema.type_map.items():
        if isinstance(graphql_type, GraphQLObjectType) and not type_name.startswith("__"):
            for field_name, graphql_field in graphql_type.fields.items():
                for argument_name, graphql_argument in graphql_field.args.items():
                    visit(f"{type_name}.{field_name}.{argument_name}", graphql_argument.type)
    return found
