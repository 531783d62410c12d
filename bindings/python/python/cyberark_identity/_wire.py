"""A `datetime` that remembers how the API spelled it.

The Identity API writes its timestamps as .NET JSON dates (`/Date(1712846865880)/`), and the
clients read them as timezone-aware `datetime` values. A plain `datetime` cannot say which form it
came in, so a value read from the API and passed back (into a model, a request) would go out as
RFC 3339. Values read from a .NET date are instances of this subclass instead, carrying the text
they were read from; the native layer sends that text again as long as the instant is unchanged
(arithmetic and `replace()` make new instants, which are then written as RFC 3339).
"""

from __future__ import annotations

import datetime


class WireDateTime(datetime.datetime):
    """A `datetime.datetime` read from the API, with the text it was read from."""

    _cyberark_wire: str

    @classmethod
    def _from_wire(cls, at: datetime.datetime, text: str) -> WireDateTime:
        """The instant `at`, remembering that the API wrote it as `text`."""
        made = cls(
            at.year,
            at.month,
            at.day,
            at.hour,
            at.minute,
            at.second,
            at.microsecond,
            at.tzinfo,
            fold=at.fold,
        )
        made._cyberark_wire = text
        return made
