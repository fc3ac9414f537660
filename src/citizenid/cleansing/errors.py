"""Errors of the cleansing area.

Messy legacy data is never an error here: normalisation reports what it could not read and
validation turns it into :class:`~citizenid.cleansing.validate.Issue` values.  These errors are for
callers that misuse the area.

::

    CitizenIdError
    ├── InvalidInput
    │   └── CleansingInvalid       CLN-400  a caller passed something that is no source record
    └── NotFound
        └── UnknownRule            CLN-404  no quality rule has this id
"""

from __future__ import annotations

from citizenid.errors import InvalidInput, NotFound


class CleansingInvalid(InvalidInput):
    code = "CLN-400"
    title = "Not a source record"


class UnknownRule(NotFound):
    code = "CLN-404"
    title = "Unknown quality rule"


class LinkageFailed(InvalidInput):
    code = "CLN-422"
    title = "Linkage not possible"
