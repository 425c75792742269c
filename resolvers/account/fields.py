"""The fields every account has (names, an email, a password), checked by one set of rules.

Customers and admin users share the rules: a name is trimmed, required, within its
column and storable; an email has Magento's shape (local@domain.tld) and anything else is
"Please enter a valid email address."; a password meets the one policy of
resolvers/passwords.py (`check_password_policy`). Only the
wording of a name's message differs, because each account kind's API has always said it
its own way (Magento's `"First Name" is a required value.` for customers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import SQLModel

from lac.db.models import AdminUser, Customer
from lac.resolvers.errors import LacError
from lac.resolvers.inputs import TextInput, column_length, fits

INVALID_EMAIL = "Please enter a valid email address."
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@dataclass(frozen=True, slots=True)
class EmailInput:
    """The rule for an email address written to `max_length` characters; customers'
    addresses are kept in lower case (Magento's), admins' as typed."""

    max_length: int | None
    lowercase: bool = False

    def check(self, value: str) -> str:
        """`value` trimmed (and lowered), or BAD_USER_INPUT with INVALID_EMAIL."""
        value = value.strip()
        if self.lowercase:
            value = value.lower()
        if not fits(value, self.max_length) or not EMAIL_PATTERN.fullmatch(value):
            raise LacError.bad_input(INVALID_EMAIL)
        return value


@dataclass(frozen=True, slots=True)
class AccountFields:
    """The validators of one account kind's fields."""

    firstname: TextInput
    lastname: TextInput
    email: EmailInput


def _name(model: type[SQLModel], field: str, label: str, required: str) -> TextInput:
    return TextInput.of(model, field, label, required=required)


CUSTOMER_FIELDS = AccountFields(
    firstname=_name(Customer, "firstname", '"First Name"', '"First Name" is a required value.'),
    lastname=_name(Customer, "lastname", '"Last Name"', '"Last Name" is a required value.'),
    email=EmailInput(column_length(Customer, "email"), lowercase=True),
)
ADMIN_FIELDS = AccountFields(
    firstname=_name(AdminUser, "firstname", "The first name", "The first name is required."),
    lastname=_name(AdminUser, "lastname", "The last name", "The last name is required."),
    email=EmailInput(column_length(AdminUser, "email")),
)
ADMIN_USERNAME = _name(AdminUser, "username", "The user name", "The user name is required.")
