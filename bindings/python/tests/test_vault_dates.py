"""The Vault's times from Python: Unix seconds (and a Safe's microseconds) read as `datetime` in
UTC, and a `datetime` or an `int` is sent as the integer the Vault expects."""

from __future__ import annotations

import datetime
import json
import time

import pytest

from vault_helpers import admin

from cyberark_identity import InvalidRequestError
from cyberark_identity.testing import Sandbox
from cyberark_vault._native import Safe, SafeCreate, SafeMemberCreate, SafeMemberPermissions

UTC = datetime.timezone.utc


def test_safe_times_read_as_datetimes_in_their_own_units(sandbox: Sandbox) -> None:
    with admin(sandbox) as vault:
        vault.safes.add(SafeCreate("Dated-Safe"))
        safe = vault.safes.get("Dated-Safe")
        created, modified = safe.creation_time, safe.last_modification_time
        assert isinstance(created, datetime.datetime) and isinstance(modified, datetime.datetime)
        assert created.utcoffset() == datetime.timedelta(0)
        assert abs(created.timestamp() - time.time()) < 3600
        # Microseconds read as microseconds: the same instant as the creation, to the second.
        assert abs((modified - created).total_seconds()) <= 1
        # `to_dict()` keeps the wire's integers.
        wire = safe.to_dict()
        assert wire["creationTime"] == int(created.timestamp())
        assert wire["lastModificationTime"] == int(modified.timestamp()) * 1_000_000 + modified.microsecond


def test_integers_beyond_pythons_years_stay_integers() -> None:
    huge = 400_000_000_000
    assert Safe("x", creation_time=huge).creation_time == huge
    assert Safe("x", last_modification_time=huge).last_modification_time == datetime.datetime(
        1970, 1, 5, 15, 6, 40, tzinfo=UTC
    )


def test_an_instant_sent_is_written_as_unix_seconds(sandbox: Sandbox) -> None:
    expires = datetime.datetime(2031, 3, 4, 5, 6, 7, 890000, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    with admin(sandbox) as vault:
        vault.safes.add(SafeCreate("Team-Safe"))
        members = vault.safe_members
        member = SafeMemberCreate(
            "dated.member@example.com",
            member_type="User",
            search_in="Vault",
            membership_expiration_date=expires,
            permissions=SafeMemberPermissions(list_accounts=True),
        )
        members.add("Team-Safe", member)
        sent = [json.loads(r.body) for r in sandbox.requests() if r.operation == "SafeMembers_Add"]
        assert sent[-1]["membershipExpirationDate"] == int(expires.timestamp())
        back = members.get("Team-Safe", "dated.member@example.com").membership_expiration_date
        assert back == expires.replace(microsecond=0)
        assert isinstance(back, datetime.datetime) and back.utcoffset() == datetime.timedelta(0)
        # An `int` is a Unix time as it is; a naive datetime or a bool is refused.
        assert SafeMemberCreate("a", membership_expiration_date=1_700_000_000).to_dict()["membershipExpirationDate"] == (
            1_700_000_000
        )
        with pytest.raises(InvalidRequestError, match="membership_expiration_date.*timezone"):
            SafeMemberCreate("a", membership_expiration_date=datetime.datetime(2031, 1, 1))
        with pytest.raises(InvalidRequestError, match="membership_expiration_date"):
            SafeMemberCreate("a", membership_expiration_date=True)
