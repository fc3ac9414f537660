from __future__ import annotations

import pytest

from citizenid.auth.domain import (
    ACCOUNT_ROLES,
    ROLE_PERMISSIONS,
    Permission,
    Principal,
    Role,
    validate_password,
    validate_username,
)
from citizenid.auth.errors import Forbidden


def test_every_role_has_permissions_and_only_admins_manage_users() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    managers = {r for r in ACCOUNT_ROLES if Permission.USER_MANAGE in ROLE_PERMISSIONS[r]}
    assert managers == {Role.ADMINISTRATOR}


def test_production_operator_cannot_write_the_register() -> None:
    p = Principal("xuong", Role.PRODUCTION_OPERATOR)
    p.require(Permission.PERSON_READ)
    with pytest.raises(Forbidden):
        p.require(Permission.EVENT_RECORD)


def test_province_scope() -> None:
    registrar = Principal("lan", Role.REGISTRAR, province_code="01")
    assert registrar.may_see_province("01")
    assert not registrar.may_see_province("79")
    with pytest.raises(Forbidden):
        registrar.require_province("79")
    assert Principal("boss", Role.SUPERVISOR).may_see_province("79")


@pytest.mark.parametrize("name", ["ab", "Upper", "has space", "x" * 65])
def test_bad_usernames(name: str) -> None:
    with pytest.raises(ValueError):
        validate_username(name)


def test_short_password() -> None:
    with pytest.raises(ValueError):
        validate_password("short")
    assert validate_password("long-enough-password")
