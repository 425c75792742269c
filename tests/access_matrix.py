"""The role x field matrix (DESIGN.md sections 4, 5 and 13): every root field with a harmless
call, the guard it carries and the answer each demo caller must get. Shared by the tests that
walk every root field (the access matrix itself, the one-connection-per-request check).

Later issues add their fields to FIELDS; a test fails when a root field is missing here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.support import Api

ALL = "Magento_Backend::all"
# DESIGN.md section 12, written out here rather than read from the seed.
ROLE_RESOURCES: dict[str, frozenset[str]] = {
    "admin": frozenset({ALL}),
    "support": frozenset(
        {
            "Magento_Customer::manage",
            "Magento_Sales::sales_order",
            "Magento_Sales::sales_invoice",
            "Magento_Sales::shipment",
            "Magento_Sales::sales_creditmemo",
            "Magento_LoginAsCustomer::login",
            "Magento_LoginAsCustomerLog::login_log",
        }
    ),
    "viewer": frozenset({"Magento_Customer::manage", "Magento_Sales::sales_order"}),
    "auditor": frozenset(
        {"Magento_Logging::magento_logging_events", "Magento_LoginAsCustomerLog::login_log"}
    ),
}
PASSWORDS = {
    "admin": "Admin123!",
    "support": "Support123!",
    "viewer": "Viewer123!",
    "auditor": "Auditor123!",
}
CALLERS = [*PASSWORDS, "customer", "nobody"]
ALLOWED = "allowed"


@dataclass(frozen=True)
class Guard:
    kind: str  # public | admin | customer | impersonation | resources
    resources: frozenset[str] = frozenset()

    def expected(self, caller: str) -> str:
        if self.kind == "public":
            return ALLOWED
        if caller == "nobody":
            return "UNAUTHENTICATED"
        if caller == "customer":
            return ALLOWED if self.kind == "customer" else "FORBIDDEN"
        if self.kind == "admin":
            return ALLOWED
        if self.kind == "resources":
            held = ROLE_RESOURCES[caller]
            return ALLOWED if ALL in held or self.resources <= held else "FORBIDDEN"
        return "FORBIDDEN"


PUBLIC = Guard("public")
ADMIN = Guard("admin")
CUSTOMER = Guard("customer")


def needs(*resources: str) -> Guard:
    return Guard("resources", frozenset(resources))


# a harmless call, its guard[, the business error it gets once allowed]
Call = tuple[str, Guard] | tuple[str, Guard, str]
FIELDS: dict[str, Call] = {
    "adminMe": ("{ adminMe { id } }", ADMIN),
    "me": ("{ me { id } }", CUSTOMER),
    "websites": ("{ websites { code } }", ADMIN),
    "storeViews": ("{ storeViews { code } }", ADMIN),
    "aclResources": ("{ aclResources { id } }", needs("Magento_User::acl_roles")),
    "customers": ("{ customers { totalCount } }", needs("Magento_Customer::manage")),
    "customer": ('{ customer(id: "1") { id } }', needs("Magento_Customer::manage")),
    "orders": ("{ orders { totalCount } }", needs("Magento_Sales::sales_order")),
    "order": ('{ order(id: "1") { id } }', needs("Magento_Sales::sales_order")),
    "invoices": ("{ invoices { totalCount } }", needs("Magento_Sales::sales_invoice")),
    "invoice": ('{ invoice(id: "1") { id } }', needs("Magento_Sales::sales_invoice")),
    "shipments": ("{ shipments { totalCount } }", needs("Magento_Sales::shipment")),
    "shipment": ('{ shipment(id: "1") { id } }', needs("Magento_Sales::shipment")),
    "creditMemos": ("{ creditMemos { totalCount } }", needs("Magento_Sales::sales_creditmemo")),
    "creditMemo": ('{ creditMemo(id: "1") { id } }', needs("Magento_Sales::sales_creditmemo")),
    "roles": ("{ roles { name } }", needs("Magento_User::acl_roles")),
    "role": ('{ role(id: "1") { name } }', needs("Magento_User::acl_roles")),
    "adminUsers": ("{ adminUsers { username } }", needs("Magento_User::acl_users")),
    "adminLogin": (
        'mutation { adminLogin(username: "auditor", password: "Auditor123!") { token } }',
        PUBLIC,
    ),
    "customerLogin": (
        'mutation { customerLogin(email: "jane.doe@example.com", password: "Customer123!",'
        ' websiteCode: "base") { token } }',
        PUBLIC,
    ),
    "createRole": (
        'mutation { createRole(input: {name: "", resources: []}) { id } }',
        needs("Magento_User::acl_roles"),
        "BAD_USER_INPUT",
    ),
    "updateRole": (
        'mutation { updateRole(id: "4242", input: {name: "X"}) { id } }',
        needs("Magento_User::acl_roles"),
        "NOT_FOUND",
    ),
    "deleteRole": (
        'mutation { deleteRole(id: "4242") }',
        needs("Magento_User::acl_roles"),
        "NOT_FOUND",
    ),
    "createAdminUser": (
        'mutation { createAdminUser(input: {username: "x", email: "x@example.com",'
        ' firstname: "X", lastname: "Y", password: "short", roleId: "1"}) { id } }',
        needs("Magento_User::acl_users"),
        "BAD_USER_INPUT",
    ),
    "updateAdminUser": (
        'mutation { updateAdminUser(id: "4242", input: {firstname: "X"}) { id } }',
        needs("Magento_User::acl_users"),
        "NOT_FOUND",
    ),
    "customerSession": ("{ customerSession { isLoggedIn } }", PUBLIC),
    "activeLoginAsCustomerSessions": (
        "{ activeLoginAsCustomerSessions { id } }",
        needs("Magento_LoginAsCustomerLog::login_log"),
    ),
    "loginAsCustomerLog": (
        "{ loginAsCustomerLog { totalCount } }",
        needs("Magento_LoginAsCustomerLog::login_log"),
    ),
    "adminActionLog": (
        "{ adminActionLog { totalCount } }",
        needs("Magento_Logging::magento_logging_events"),
    ),
    "actionGroups": (
        "{ actionGroups { code } }",
        needs("Magento_Logging::magento_logging_events"),
    ),
    "loginAsCustomer": (
        'mutation { loginAsCustomer(input: {customerId: "4242"}) { secret } }',
        needs("Magento_LoginAsCustomer::login"),
        "NOT_FOUND",
    ),
    "exchangeLoginAsCustomerSecret": (
        'mutation { exchangeLoginAsCustomerSecret(secret: "nope") { token } }',
        PUBLIC,
        "SECRET_INVALID_OR_EXPIRED",
    ),
    "endLoginAsCustomer": ("mutation { endLoginAsCustomer }", Guard("impersonation")),
    "terminateLoginAsCustomerSession": (
        'mutation { terminateLoginAsCustomerSession(id: "4242") { id } }',
        needs("Magento_LoginAsCustomer::login"),
        "NOT_FOUND",
    ),
    "generateCustomerTokenAsAdmin": (
        "mutation { generateCustomerTokenAsAdmin(input: "
        '{customer_email: "nobody@example.com"}) { customer_token } }',
        needs(
            "Magento_LoginAsCustomer::login",
            "Magento_LoginAsCustomer::allow_shopping_assistance",
            "Magento_LoginAsCustomerApi::token",
        ),
        "NOT_FOUND",
    ),
    "products": ("{ products { sku } }", PUBLIC),
    "cart": ("{ cart { itemsCount } }", CUSTOMER),
    "addToCart": (
        'mutation { addToCart(sku: "NOPE", quantity: 1) { itemsCount } }',
        CUSTOMER,
        "BAD_USER_INPUT",
    ),
    "removeCartItem": (
        'mutation { removeCartItem(itemId: "4242") { itemsCount } }',
        CUSTOMER,
        "NOT_FOUND",
    ),
    "placeOrder": ("mutation { placeOrder { id } }", CUSTOMER, "BAD_USER_INPUT"),
    "loginAsCustomerConfig": (
        "{ loginAsCustomerConfig { enabled } }",
        needs("Magento_LoginAsCustomer::config_section"),
    ),
    "updateLoginAsCustomerConfig": (
        "mutation { updateLoginAsCustomerConfig(input: "
        "{authenticationDataExpirationSeconds: 5}) { enabled } }",
        needs("Magento_LoginAsCustomer::config_section"),
        "BAD_USER_INPUT",
    ),
    "storefrontLoginAsCustomerConfig": (
        "{ storefrontLoginAsCustomerConfig { shoppingAssistanceCheckboxTitle } }",
        PUBLIC,
    ),
    "updateMyAccount": (
        'mutation { updateMyAccount(input: {firstname: ""}) { id } }',
        CUSTOMER,
        "BAD_USER_INPUT",
    ),
    "changeMyPassword": (
        'mutation { changeMyPassword(currentPassword: "Wrong123!", newPassword: "Better1234") }',
        CUSTOMER,
        "BAD_USER_INPUT",
    ),
    "createAssistanceCode": ("mutation { createAssistanceCode { expiresAt } }", CUSTOMER),
    "setRemoteShoppingAssistance": (
        'mutation { setRemoteShoppingAssistance(customerId: "4242", allowed: true) { id } }',
        needs("Magento_Customer::manage", "Magento_LoginAsCustomer::allow_shopping_assistance"),
        "NOT_FOUND",
    ),
    "verifyAdminActionLog": (
        "{ verifyAdminActionLog { valid } }",
        needs("Magento_Logging::magento_logging_events"),
    ),
    "myAssistanceSessions": ("{ myAssistanceSessions { totalCount } }", CUSTOMER),
    "endMyAssistanceSessions": ("mutation { endMyAssistanceSessions }", CUSTOMER),
    # each revokes the token of its own kind of caller, so that one runs last
    "adminLogout": ("mutation { adminLogout }", ADMIN),
    "customerLogout": ("mutation { customerLogout }", CUSTOMER),
}


async def outcome(api: Api, query: str, token: str | None, business_error: str | None) -> str:
    """ALLOWED when the call got past its guard and then did exactly what it should (success,
    or the one business error its harmless arguments provoke); else what happened."""
    body = await api.call(query, token=token)
    codes = {
        error["extensions"]["code"]
        for error in body.get("errors", [])
        if len(error.get("path") or []) <= 1
    }
    for refusal in ("UNAUTHENTICATED", "FORBIDDEN"):
        if codes == {refusal}:
            return refusal
    if codes == ({business_error} if business_error else set()):
        return ALLOWED
    return f"unexpected {sorted(codes)}"


async def caller_token(api: Api, caller: str) -> str | None:
    """A fresh token of one of CALLERS (None for nobody)."""
    if caller == "customer":
        return await api.customer_token("jane.doe@example.com", "Customer123!")
    if caller == "nobody":
        return None
    return await api.admin_token(caller, PASSWORDS[caller])


def own_logout_last(caller: str) -> list[tuple[str, Call]]:
    """FIELDS in the order to call them as `caller`: its own logout (which revokes the token
    the others need) last."""
    own_logout = "customerLogout" if caller == "customer" else "adminLogout"
    return sorted(FIELDS.items(), key=lambda item: item[0] == own_logout)
