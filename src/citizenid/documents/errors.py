"""Errors of integrated documents.

    CitizenIdError
    └── DocumentError (DOC-000)
        ├── DocumentInvalid (DOC-001)        a malformed number, an unknown type, a bad date or attribute
        ├── DocumentNotFound (DOC-002)       no such document (or not one you may see)
        ├── DocumentConflict (DOC-003)       the number belongs to someone else, or the action does not apply
        ├── HolderNotEligible (DOC-004)      the person is unknown or deceased
        └── AgencyNotAllowed (DOC-005)       the agency has no grant for this document type
"""

from __future__ import annotations

from citizenid.errors import CitizenIdError


class DocumentError(CitizenIdError):
    code = "DOC-000"
    status = 400
    title = "Document error"


class DocumentInvalid(DocumentError):
    code = "DOC-001"
    status = 422
    title = "Invalid document"


class DocumentNotFound(DocumentError):
    code = "DOC-002"
    status = 404
    title = "Document not found"


class DocumentConflict(DocumentError):
    code = "DOC-003"
    status = 409
    title = "Document conflict"


class HolderNotEligible(DocumentError):
    code = "DOC-004"
    status = 422
    title = "Holder not eligible"


class AgencyNotAllowed(DocumentError):
    code = "DOC-005"
    status = 403
    title = "Agency not allowed"
