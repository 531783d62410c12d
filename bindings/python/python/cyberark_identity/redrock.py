"""Redrock query scripts with bound values.

``Redrock/query`` takes a SQL-like script as text. Pasting a value into it (as CyberArk's SDKs
do, ``f"... WHERE Username='{name}'"``) lets a quote in the value change the query. A
:class:`Query` keeps the script and the values apart and writes each value as a literal the
query language reads back as the same value (the runtime's one implementation, shared with the
Rust client)::

    from cyberark_identity import Query

    query = Query("SELECT ID, Username FROM User WHERE Username = ?", name)
    table = client.redrock.query(script=query.script())
"""

from __future__ import annotations

from typing import Union

from ._native import _redrock_script

#: A value a placeholder takes.
Value = Union[str, int, bool, None]


class Query:
    """A Redrock script with ``?`` placeholders and the values bound to them, in order.

    A ``?`` inside a quoted literal, a quoted name or a comment of the script is text, not a
    placeholder. Values are ``str``, ``int``, ``bool`` or ``None``.
    """

    __slots__ = ("_template", "_values")

    def __init__(self, template: str, *values: Value) -> None:
        if not isinstance(template, str):
            raise TypeError(f"template must be a str, not {type(template).__name__}")
        self._template = template
        self._values: tuple[Value, ...] = values

    def bind(self, value: Value) -> Query:
        """A new query with ``value`` bound to the next placeholder."""
        return Query(self._template, *self._values, value)

    def script(self) -> str:
        """The script with every placeholder replaced by its value as a literal.

        Raises :class:`cyberark_identity.errors.InvalidRequestError` when the placeholders and
        values do not match, when the script leaves a quote or comment open, or when a value
        cannot be written (a NUL character, a type other than ``str``, ``int``, ``bool``, ``None``).
        """
        return _redrock_script(self._template, list(self._values))

    def __repr__(self) -> str:
        # Bound values are often personal data (user names); the repr shows only how many.
        return f"Query({self._template!r}, <{len(self._values)} bound value(s)>)"
