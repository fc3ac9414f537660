"""Errors of the exchange platform (partners, tokens, verify, consent, events).

::

    CitizenIdError
    └── ExchangeError                 XCH-000
        ├── ExchangeInvalid           XCH-400  a request the caller can fix
        ├── PartnerNotAuthenticated   XCH-401  no, bad, expired or replayed token or DPoP proof
        │   ├── InvalidClient         XCH-402  token endpoint: the client assertion does not hold
        │   ├── AssertionReplayed     XCH-403  token endpoint: an assertion id seen before
        │   └── ProofReplayed         XCH-404  a DPoP proof id seen before
        ├── OutsideGrant              XCH-410  an operation, attribute or event the service is not granted
        ├── ExchangeNotFound          XCH-420  member, service, client, key, consent, subscription
        ├── ExchangeConflict          XCH-421  already exists, or in the wrong state
        ├── RateLimited               XCH-429  too many requests (rate, daily quota, enumeration)
        │   └── EnumerationSuspected  XCH-430  many different numbers that do not match
        ├── BodyTooLarge              XCH-413
        ├── ConsentRefused            XCH-440  consent missing, expired, revoked or already used
        ├── ConsentCodeWrong          XCH-441  the citizen's one-time code does not match
        ├── CardRejected              XCH-450  card read does not verify or the card is revoked
        └── CitizenNotAuthenticated   XCH-460  the portal's citizen login is missing or wrong
"""

from __future__ import annotations

from citizenid.errors import CitizenIdError


class ExchangeError(CitizenIdError):
    code = "XCH-000"
    status = 400
    title = "Exchange error"


class ExchangeInvalid(ExchangeError):
    code = "XCH-400"
    status = 400
    title = "Invalid exchange request"


class PartnerNotAuthenticated(ExchangeError):
    code = "XCH-401"
    status = 401
    title = "Partner not authenticated"


class InvalidClient(PartnerNotAuthenticated):
    code = "XCH-402"
    title = "Invalid client"


class AssertionReplayed(PartnerNotAuthenticated):
    code = "XCH-403"
    title = "Client assertion replayed"


class ProofReplayed(PartnerNotAuthenticated):
    code = "XCH-404"
    title = "DPoP proof replayed"


class OutsideGrant(ExchangeError):
    code = "XCH-410"
    status = 403
    title = "Outside the service's grant"


class ExchangeNotFound(ExchangeError):
    code = "XCH-420"
    status = 404
    title = "Not found"


class ExchangeConflict(ExchangeError):
    code = "XCH-421"
    status = 409
    title = "Conflict"


class RateLimited(ExchangeError):
    code = "XCH-429"
    status = 429
    title = "Too many requests"


class EnumerationSuspected(RateLimited):
    code = "XCH-430"
    title = "Enumeration suspected"


class BodyTooLarge(ExchangeError):
    code = "XCH-413"
    status = 413
    title = "Request body too large"


class ConsentRefused(ExchangeError):
    code = "XCH-440"
    status = 403
    title = "No usable consent"


class ConsentCodeWrong(ExchangeError):
    code = "XCH-441"
    status = 403
    title = "Wrong one-time code"


class CardRejected(ExchangeError):
    code = "XCH-450"
    status = 422
    title = "Card not accepted"


class CitizenNotAuthenticated(ExchangeError):
    code = "XCH-460"
    status = 401
    title = "Citizen not authenticated"
