"""Errors of the population register.

::

    CitizenIdError
    ├── InvalidInput
    │   └── RegistryInvalid            REG-400  a record or request breaks a register rule
    │       └── InvalidPersonalNumber  REG-401  not a well-formed personal number
    ├── NotFound
    │   ├── PersonNotFound             REG-404
    │   └── HouseholdNotFound          REG-405
    └── Conflict
        ├── PersonExists               REG-409  a number is already in the register
        ├── StaleVersion               REG-410  the record changed since it was read
        └── NumberSpaceExhausted       REG-411  no free number left in a PPP+G+YY block
"""

from __future__ import annotations

from citizenid.errors import Conflict, InvalidInput, NotFound


class RegistryInvalid(InvalidInput):
    code = "REG-400"
    title = "Register rule broken"


class InvalidPersonalNumber(RegistryInvalid):
    code = "REG-401"
    title = "Invalid personal number"


class PersonNotFound(NotFound):
    code = "REG-404"
    title = "Person not found"


class HouseholdNotFound(NotFound):
    code = "REG-405"
    title = "Household not found"


class PersonExists(Conflict):
    code = "REG-409"
    title = "Person already registered"


class StaleVersion(Conflict):
    code = "REG-410"
    title = "Record changed"


class NumberSpaceExhausted(Conflict):
    code = "REG-411"
    title = "No free personal number"
