"""Errors of the cleansing area.

Messy legacy data is never an error here: normalisation reports what it could not read and
validation turns it into :class:`~citizenid.cleansing.validate.Issue` values.  These errors are for
callers that misuse the area.

::

    CitizenIdError
    ├── InvalidInput
    │   ├── CleansingInvalid       CLN-400  a caller passed something that is no source record
    │   ├── LinkageFailed          CLN-422  no linkage possible (unknown engine, repeated ids)
    │   └── BatchRejected          CLN-423  a source file rejected whole, with its report
    ├── NotFound
    │   ├── UnknownRule            CLN-404  no quality rule has this id
    │   ├── RunNotFound            CLN-410
    │   ├── PairNotFound           CLN-411
    │   └── MergeNotFound          CLN-412
    └── Conflict
        ├── ReviewAlreadyDecided   CLN-409
        └── UnmergeRefused         CLN-419  the person changed since the merge, or it is undone
"""

from __future__ import annotations

from citizenid.errors import Conflict, InvalidInput, NotFound


class CleansingInvalid(InvalidInput):
    code = "CLN-400"
    title = "Not a source record"


class UnknownRule(NotFound):
    code = "CLN-404"
    title = "Unknown quality rule"


class LinkageFailed(InvalidInput):
    code = "CLN-422"
    title = "Linkage not possible"


class BatchRejected(InvalidInput):
    code = "CLN-423"
    title = "Source file rejected"


class RunNotFound(NotFound):
    code = "CLN-410"
    title = "No such linkage run"


class PairNotFound(NotFound):
    code = "CLN-411"
    title = "No such pair on the review queue"


class MergeNotFound(NotFound):
    code = "CLN-412"
    title = "No such merge"


class ReviewAlreadyDecided(Conflict):
    code = "CLN-409"
    title = "Review already decided"


class UnmergeRefused(Conflict):
    code = "CLN-419"
    title = "Un-merge not possible"
