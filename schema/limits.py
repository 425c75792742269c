"""Query limits (DESIGN.md section 11): a document over any of them gets one
QUERY_TOO_COMPLEX error and nothing of it runs.

- tokens: graphql-core's `max_tokens` parse option (`execution.py` sets it, `documents.py`
  codes the error);
- depth and aliases: the rules of strawberry's `QueryDepthLimiter` and `MaxAliasesLimiter`,
  counting what fragments and inline fragments add wherever they are spread;
- cost: `query_cost.measure_document`.

All of them run inside one graphql-core validation rule, `QueryLimitsRule`, placed before
the standard rules. It first measures the document in one linear pass and refuses any
whose fragments expand past MAX_SELECTIONS or nest past MAX_NESTING: strawberry's rules
walk every expansion of every spread (exponential in reused fragments) and recurse without
bound. A breach aborts validation with that one error, so the standard rules never spend
time on the document either. Validation results are cached per document (`documents.py`),
so the limits are checked once per distinct document and set of page-size variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, ClassVar

from graphql import GraphQLError, validate
from graphql.validation import ValidationContext, ValidationRule
from graphql.validation.rules import overlapping_fields_can_be_merged
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from lac.resolvers.errors import ErrorCode, LacError
from lac.schema.query_cost import (
    TooDeeplyNestedError,
    UnmeasurableError,
    measure_document,
    page_size,
)

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
MAX_COST = 5000
MAX_SELECTIONS = 10_000
"""Selections of all operations with every fragment spread expanded."""
MAX_NESTING = 50
"""Selection sets nested in each other, counting fragments and inline fragments."""
FIELD_MERGE_BUDGET = 50_000
"""graphql-core's budget for comparing same-named fields (OverlappingFieldsCanBeMerged);
its default of 500,000 lets 400 repeated fields take over a second to validate."""

overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = FIELD_MERGE_BUDGET

_STRAWBERRY_RULES = (
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)


def too_complex(message: str, error: GraphQLError | None = None) -> GraphQLError:
    """The one error of a document over a limit; aborts validation when raised in it."""
    return ValidationAbortedError(
        message,
        error.nodes if error else None,
        error.source if error else None,
        error.positions if error else None,
        original_error=LacError(ErrorCode.QUERY_TOO_COMPLEX, message),
    )


class QueryLimitsRule(ValidationRule):
    """Refuses a document over a query limit, before any other rule looks at it."""

    page_sizes: ClassVar[Mapping[str, int]] = {}

    def enter_document(self, *_args: Any) -> None:
        breach = self.first_breach(self.context)
        if breach is not None:
            raise breach

    @classmethod
    def first_breach(cls, context: ValidationContext) -> GraphQLError | None:
        try:
            measure = measure_document(
                context.schema,
                context.document,
                cls.page_sizes,
                max_nesting=MAX_NESTING,
                max_selections=MAX_SELECTIONS,
            )
        except UnmeasurableError:
            return None  # an unknown fragment or a fragment cycle: the standard rules say so
        except TooDeeplyNestedError:
            return too_complex(f"Query too complex: selections nested over {MAX_NESTING} deep.")
        if measure.selections > MAX_SELECTIONS:
            return too_complex(
                f"Query too complex: over {MAX_SELECTIONS} selections with fragments expanded."
            )
        errors = validate(context.schema, context.document, _STRAWBERRY_RULES)
        if errors:
            return too_complex(errors[0].message, errors[0])
        if measure.cost > MAX_COST:
            return too_complex(
                f"Query cost {measure.cost} is over the maximum of {MAX_COST} (a list counts "
                "its `first` or 20 items, times the lists around it)."
            )
        return None


PageSizeVariables = tuple[tuple[str, int], ...]


@lru_cache(maxsize=256)
def limits_rule(page_sizes: PageSizeVariables) -> type[QueryLimitsRule]:
    """The rule for these page-size variables; the same class for the same values, so that
    the validation cache, keyed by the rules, finds it again."""
    return type("QueryLimitsRule", (QueryLimitsRule,), {"page_sizes": dict(page_sizes)})


def page_size_variables(variables: Mapping[str, object] | None) -> PageSizeVariables:
    """The variables that could be a `first` (null or an int), as page sizes."""
    return tuple(
        sorted(
            (name, page_size(value))
            for name, value in (variables or {}).items()
            if value is None or (isinstance(value, int) and not isinstance(value, bool))
        )
    )
