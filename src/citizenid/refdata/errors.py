"""Errors of the reference data.

::

    NotFound                (GEN-404)   citizenid.errors
    └── UnknownCode         (REF-001)   no unit, ethnic group or religion has this code or name
"""

from __future__ import annotations

from citizenid.errors import NotFound


class UnknownCode(NotFound):
    """A code or name that no entry of the named reference table carries."""

    code = "REF-001"
    title = "Unknown reference code"

    def __init__(self, table: str, value: str) -> None:
        super().__init__(f"no {table} has the code or name {value!r}", table=table, value=value)
        self.table = table
        self.value = value
