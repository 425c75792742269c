"""Hostile and meaningful input values for the fuzz test, as hypothesis strategies.

Random text alone rarely reaches past the first lookup (no SKU, email or website code is ever
guessed), so every scalar mixes the demo seed's real values with the values that broke
services before: ids beyond 2^31 and 2^63, Unicode digits, crafted cursors, trailing spaces,
long strings, NUL characters and lone surrogates.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import nodes

# Values of the pinned demo seed (DESIGN section 12) and the names the API compares against.
SEED_STRINGS = (
    "base",
    "outlet",
    "default",
    "french",
    "outlet_en",
    "MH01",
    "WS12",
    "24-MB01",
    "jane.doe@example.com",
    "JANE.DOE@EXAMPLE.COM",
    "john.smith@example.com",
    "marie.curie@example.com",
    "inactive@example.com",
    "guest@example.com",
    "000000001",
    "admin",
    "support",
    "viewer",
    "auditor",
    "Administrators",
    "Support",
    "Magento_Backend::all",
    "Magento_Customer::manage",
    "Magento_LoginAsCustomer::login",
    "Customer123!",
    "Admin123!",
    "Passw0rd-long-enough",
    "login_as_customer.start",
    "access.denied",
    "203.0.113.7",
    "Jane",
)
EDGE_INTS = (0, 1, -1, 2, 20, 199, 200, 201, 2**31 - 1, -(2**31))
# Arabic-Indic 1 and 3, Devanagari 7, fullwidth 1, bold 9 (int() reads all five), superscript 2.
UNICODE_DIGITS = ("\u0661", "\u0663", "\u096d", "\uff11", "\U0001d7d7", "\u00b2")
# Ids beyond 32 and 64 bits, signs, spaces and digit look-alikes that int() accepts.
ODD_IDS = ("0", "-1", "2147483648", "9223372036854775808", "1" * 40, " 1", "1 ", "+1", "1_0")

surrogates = st.characters(categories=["Cs"])
any_text = st.text(st.characters(codec="utf-8") | surrogates, max_size=40)
long_text = st.builds(
    str.__mul__, st.sampled_from(("a", "é", "漢", " ", "\x00")), st.integers(250, 5000)
)
seed_strings = st.sampled_from(SEED_STRINGS)
padded_seed_strings = st.builds(
    str.__add__, seed_strings, st.sampled_from((" ", "  ", "\x00", "\u200b", "\ud800"))
)
unicode_numbers = st.lists(st.sampled_from(UNICODE_DIGITS), min_size=1, max_size=12).map("".join)
id_texts = st.one_of(
    st.integers(1, 12).map(str),
    st.sampled_from(ODD_IDS),
    unicode_numbers,
    st.integers(min_value=2**31).map(str),
    st.integers(max_value=-1).map(str),
)
cursors = st.one_of(id_texts, any_text).map(
    lambda value: base64.urlsafe_b64encode(f"id:{value}".encode(errors="surrogatepass")).decode()
)
strings = st.one_of(seed_strings, padded_seed_strings, any_text, long_text, cursors, id_texts)
ints = st.one_of(st.sampled_from(EDGE_INTS), st.integers(-(2**31), 2**31 - 1))

offsets = st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23))
aware_datetimes = st.builds(
    lambda moment, offset: moment.replace(tzinfo=timezone(offset)),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    offsets,
)
datetime_texts = st.one_of(
    aware_datetimes.map(datetime.isoformat),
    st.datetimes().map(datetime.isoformat),  # naive: refused
    st.sampled_from(("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "")),
    st.datetimes(timezones=st.just(UTC)).map(lambda moment: f"{moment:%Y-%m-%dT%H:%M:%S.%f}Z"),
    any_text,
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities too: Python's JSON writes and reads them
    strings,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(strings, children, max_size=4)
    ),
    max_leaves=12,
)


# Strategies of GraphQL literals, keyed by scalar name, for hypothesis-graphql's
# `custom_scalars` (which it consults before its built-in ones, so these replace them).
SCALAR_LITERALS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "String": strings.map(nodes.String),
    "ID": st.one_of(
        id_texts.map(nodes.String),
        ints.map(nodes.Int),
        st.integers(min_value=2**31).map(nodes.Int),
        strings.map(nodes.String),
    ),
    "Int": ints.map(nodes.Int),
    "DateTime": datetime_texts.map(nodes.String),
    # No argument takes JSON today; a new one gets values instead of stopping the generator.
    "JSON": st.one_of(strings.map(nodes.String), ints.map(nodes.Int), st.just(nodes.Null)),
}

# JSON values most GraphQL inputs refuse, for variables and request bodies.
hostile_values = st.one_of(
    st.integers(min_value=2**31),
    st.integers(max_value=-(2**63) - 1),
    st.sampled_from((float("inf"), float("-inf"), float("nan"), 1e308, -0.0, 0.5)),
    st.text(surrogates, min_size=1, max_size=3),
    unicode_numbers,
    json_values,
)
