"""Hypothesis strategies for the family fuzz tests: payloads of a family's shape whose every field may
instead hold any JSON value, so that both backends are seen to accept and reject the same ones."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=2**64 + 1),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
ANY = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=2) | st.dictionaries(TEXT, inner, max_size=2), max_leaves=4
)


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``value``, or any JSON value in its place."""
    return st.one_of(value, ANY)


def obj(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """An object with any of ``fields``."""
    return st.fixed_dictionaries({}, optional=fields)
