"""Each distinct query text is parsed and validated (limits included) once, and the cache
of documents stays within its memory budget whatever texts it is sent."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Mapping

from graphql import specified_rules
from strawberry.types.execution import ParseOptions

from lac.schema.build import schema
from lac.schema.documents import MAX_CACHED_QUERY_LENGTH, DocumentCache
from lac.schema.limits import MAX_TOKENS, limits_rule, page_size_variables

OPTIONS = ParseOptions(max_tokens=MAX_TOKENS)
QUERY = "query Pages($n: Int) { customers(first: $n) { totalCount } }"


def rules(variables: Mapping[str, object]) -> tuple[type, ...]:
    """The validation rules of a request with these variables, as the schema sets them."""
    return (limits_rule(page_size_variables(variables)), *specified_rules)


def test_a_document_is_parsed_and_validated_once_per_page_size() -> None:
    cache = DocumentCache(hide_suggestions=False)
    parsed = cache.parse(QUERY, OPTIONS)
    assert cache.parse(QUERY, OPTIONS) is parsed
    for variables in ({"n": 5}, {"n": 5, "other": "text"}, {"n": 5}):
        assert cache.validate(schema._schema, parsed, rules(variables)) == []
    assert len(parsed.results) == 1
    cache.validate(schema._schema, parsed, rules({"n": 6}))
    assert len(parsed.results) == 2


def test_page_sizes_over_the_maximum_share_one_rule() -> None:
    assert rules({"n": 500}) == rules({"n": 200})
    assert rules({"n": -3}) == rules({"n": 0})
    assert rules({"n": None}) != rules({})


def test_a_huge_query_text_is_not_kept() -> None:
    cache = DocumentCache(hide_suggestions=False)
    huge = "{ __typename }\n#" + "x" * MAX_CACHED_QUERY_LENGTH
    parsed = cache.parse(huge, OPTIONS)
    assert cache.validate(schema._schema, parsed, rules({})) == []
    assert len(cache.entries) == 0


def test_the_cache_keeps_documents_within_its_budget() -> None:
    budget = 4 * 1024 * 1024
    cache = DocumentCache(hide_suggestions=False, max_bytes=budget)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(12):  # 12 distinct texts of 2,000 tokens, about 1 MB each parsed
            cache.parse(f"query Q{i} {{" + " products { name }" * 498 + " }", OPTIONS)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 0 < len(cache.entries) < 12
    assert kept < budget * 1.25
