"""Roles, permissions and the principal making a request.  Pure rules, no I/O."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from citizenid.auth.errors import Forbidden


class Role(enum.StrEnum):
    REGISTRAR = "registrar"
    SUPERVISOR = "supervisor"
    PRODUCTION_OPERATOR = "production_operator"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"
    # The person at the server's console; never an account (accounts refuse it).
    OPERATOR = "operator"


class Permission(enum.StrEnum):
    """Typed tags in the ``subject:object:action`` shape that the audit log also uses."""

    PERSON_READ = "registry:person:read"
    PERSON_WRITE = "registry:person:write"
    EVENT_RECORD = "registry:event:record"
    NUMBER_ALLOCATE = "registry:number:allocate"
    PERSON_IMPORT = "registry:person:import"
    AUDIT_READ = "audit:log:read"
    USER_MANAGE = "auth:user:manage"
    SIGNATURE_VALIDATE = "signing:signature:validate"
    DOCUMENT_SIGN = "signing:document:sign"
    OTP_VALIDATE = "otp:code:validate"
    EXCHANGE_MANAGE = "exchange:partner:manage"
    CARD_APPLY = "card:application:create"
    CARD_APPLICATION_READ = "card:application:read"
    CARD_VERIFY = "card:application:verify"
    CARD_DECIDE = "card:application:approve"
    CARD_PRODUCE = "card:batch:produce"
    CARD_ISSUE = "card:card:issue"
    CARD_READ = "card:card:read"
    CARD_REVOKE = "card:card:revoke"
    CARD_UPDATE = "card:card:update"
    CARD_REVOCATION_READ = "card:revocation:read"
    CAMPAIGN_READ = "card:campaign:read"
    CAMPAIGN_MANAGE = "card:campaign:manage"
    BIO_CAPTURE = "biometrics:capture:check"
    BIO_VERIFY = "biometrics:face:verify"
    BIO_ADJUDICATE = "biometrics:candidate:adjudicate"
    CLEANSING_INGEST = "cleansing:batch:ingest"
    CLEANSING_REVIEW = "cleansing:pair:review"
    CLEANSING_MERGE = "cleansing:person:merge"
    CLEANSING_REPORT = "cleansing:quality:read"


# Any officer may check a signed document or a citizen's one-time password; signing with a card image
# over the API is for the production centre's services (partner services get it with the exchange).
_EVERY_OFFICER = frozenset({Permission.SIGNATURE_VALIDATE, Permission.OTP_VALIDATE, Permission.CARD_REVOCATION_READ})
# Counter work on cards: take and check applications, hand cards over, revoke and update them.
_CARD_COUNTER = frozenset({
    Permission.CARD_APPLY, Permission.CARD_APPLICATION_READ, Permission.CARD_VERIFY, Permission.CARD_ISSUE,
    Permission.CARD_READ, Permission.CARD_REVOKE, Permission.CARD_UPDATE,
})
_CAMPAIGN = frozenset({Permission.CAMPAIGN_READ, Permission.CAMPAIGN_MANAGE})
# Biometrics at the counter; supervisors alone rule on duplicate candidates.
_BIOMETRIC_COUNTER = frozenset({Permission.BIO_CAPTURE, Permission.BIO_VERIFY})
_CARD_DECISIONS = _CAMPAIGN | {Permission.CARD_DECIDE}
_CARD_PRODUCTION = frozenset({Permission.CARD_PRODUCE, Permission.CARD_READ, Permission.CARD_APPLICATION_READ,
                              Permission.CAMPAIGN_READ})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.REGISTRAR: _EVERY_OFFICER | _CARD_COUNTER | _BIOMETRIC_COUNTER
    | {Permission.PERSON_READ, Permission.PERSON_WRITE, Permission.EVENT_RECORD, Permission.NUMBER_ALLOCATE},
    Role.SUPERVISOR: _EVERY_OFFICER | _CARD_COUNTER | _CARD_DECISIONS | _BIOMETRIC_COUNTER
    | {Permission.BIO_ADJUDICATE}
    # Supervisors clean the legacy records: stage them, rule on duplicates, merge and un-merge persons.
    | {Permission.CLEANSING_INGEST, Permission.CLEANSING_REVIEW, Permission.CLEANSING_MERGE,
       Permission.CLEANSING_REPORT}
    | {
        Permission.PERSON_READ,
        Permission.PERSON_WRITE,
        Permission.EVENT_RECORD,
        Permission.NUMBER_ALLOCATE,
        Permission.PERSON_IMPORT,
    },
    # Production reads what a card needs; it never edits the register.
    Role.PRODUCTION_OPERATOR: _EVERY_OFFICER | _CARD_PRODUCTION | {Permission.PERSON_READ, Permission.DOCUMENT_SIGN},
    Role.AUDITOR: _EVERY_OFFICER | {Permission.AUDIT_READ, Permission.PERSON_READ},
    Role.ADMINISTRATOR: _EVERY_OFFICER | _CAMPAIGN
    | {Permission.USER_MANAGE, Permission.PERSON_IMPORT, Permission.AUDIT_READ, Permission.EXCHANGE_MANAGE},
    Role.OPERATOR: frozenset(Permission),
}
ACCOUNT_ROLES = frozenset(Role) - {Role.OPERATOR}

# Registrars work for one province; other roles may be given one, and then see only it.
ROLES_REQUIRING_PROVINCE = frozenset({Role.REGISTRAR})

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_LENGTH = 12


def validate_username(username: str) -> str:
    if not _USERNAME.match(username):
        raise ValueError("username must be 3-64 characters: lower-case letters, digits, '.', '_' or '-'")
    return username


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return password


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: an officer (or the local operator at the CLI) with a role and maybe a province."""

    username: str
    role: Role
    province_code: str | None = None
    kind: str = "officer"

    def has(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.has(permission):
            raise Forbidden(f"role '{self.role}' may not {permission.value}")

    def may_see_province(self, province_code: str | None) -> bool:
        return self.province_code is None or province_code == self.province_code

    def require_province(self, province_code: str | None) -> None:
        if not self.may_see_province(province_code):
            # Same answer shape as a missing record would leak existence; we say forbidden plainly
            # because officers know which province they serve.
            raise Forbidden("this record belongs to another province")

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.username}"


def operator_principal(username: str = "operator") -> Principal:
    """The local operator running the CLI on the server: trusted like a database administrator."""
    return Principal(username=username, role=Role.OPERATOR, kind="cli")
