"""Errors of the issuing PKI area.

::

    CitizenIdError
    └── PkiError                        (PKI-001)
        ├── KeyStoreError               (PKI-010)  the key store cannot do what was asked
        │   ├── KeyNotFoundError        (PKI-011)
        │   ├── WrongPassphraseError    (PKI-012)
        │   └── KeyStoreUnavailableError (PKI-013)  e.g. no PKCS#11 library / token
        ├── ProfileError                (PKI-020)  a certificate that breaks its ICAO 9303-12 profile
        ├── NotInitialisedError         (PKI-030)  no CSCA yet: run ``pki init``
        ├── AlreadyInitialisedError     (PKI-031)
        ├── MasterlistError             (PKI-040)  a masterlist that cannot be read or verified
        └── CmsError                    (PKI-050)  CMS signed data that cannot be parsed
"""

from __future__ import annotations

from citizenid.errors import CitizenIdError


class PkiError(CitizenIdError):
    code = "PKI-001"
    status = 500
    title = "PKI error"


class KeyStoreError(PkiError):
    code = "PKI-010"
    title = "Key store error"


class KeyNotFoundError(KeyStoreError):
    code = "PKI-011"
    status = 404
    title = "Key not found"


class WrongPassphraseError(KeyStoreError):
    code = "PKI-012"
    status = 403
    title = "Wrong key store passphrase"


class KeyStoreUnavailableError(KeyStoreError):
    code = "PKI-013"
    status = 503
    title = "Key store unavailable"


class ProfileError(PkiError):
    code = "PKI-020"
    status = 422
    title = "Certificate profile violation"


class NotInitialisedError(PkiError):
    code = "PKI-030"
    status = 409
    title = "PKI not initialised"


class AlreadyInitialisedError(PkiError):
    code = "PKI-031"
    status = 409
    title = "PKI already initialised"


class MasterlistError(PkiError):
    code = "PKI-040"
    status = 422
    title = "Invalid masterlist"


class CmsError(PkiError):
    code = "PKI-050"
    status = 422
    title = "Invalid signed data"
