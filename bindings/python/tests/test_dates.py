"""Identity's timestamps from Python: `/Date(ms)/` reads as a timezone-aware `datetime`, text that
is not a date stays the `str` the tenant sent, and a `datetime` or a `str` is sent in the form
given."""

from __future__ import annotations

import datetime
import json

import pytest

from cyberark_identity import Client, InvalidRequestError
from cyberark_identity._native import TechSupportUser, UserRow
from cyberark_identity.testing import Sandbox
from conftest import user_ids

UTC = datetime.timezone.utc


def test_dotnet_dates_read_as_aware_datetimes(client: Client) -> None:
    uuid, _ = user_ids(client)[1]
    user = client.cdirectory_service.get_user(uuid)
    created = user.create_date
    assert isinstance(created, datetime.datetime)
    assert created.tzinfo is not None and created.utcoffset() == datetime.timedelta(0)
    # The wire's text is kept: `to_dict()` gives what the tenant sent, the same instant.
    text = user.to_dict()["CreateDate"]
    assert text.startswith("/Date(") and text.endswith(")/")
    assert round(created.timestamp() * 1000) == int(text[len("/Date(") : -len(")/")])
    tech = client.cdirectory_service.get_tech_support_user()
    assert isinstance(tech.password_exp, datetime.datetime)


def test_offsets_never_and_text_that_is_not_a_date() -> None:
    local = UserRow(start_date="/Date(1712846865880+0200)/")
    start = local.start_date
    assert isinstance(start, datetime.datetime)
    assert start.utcoffset() == datetime.timedelta(hours=2)
    assert start == datetime.datetime(2024, 4, 11, 14, 47, 45, 880000, tzinfo=UTC)
    # DateTime.MinValue, the tenant's "never", is Python's first instant.
    never = UserRow(end_date="/Date(-62135596800000)/").end_date
    assert never == datetime.datetime(1, 1, 1, tzinfo=UTC)
    # Beyond Python's years, or not a date at all: the text as sent, and reading never raises.
    for odd in ["/Date(-62135596800000-0500)/", "next Tuesday", "/Date(12a)/"]:
        assert UserRow(end_date=odd).end_date == odd
    assert TechSupportUser(password_exp="soon").to_dict()["PasswordExp"] == "soon"


def test_a_datetime_is_sent_as_rfc3339_and_a_str_as_given(client: Client, sandbox: Sandbox) -> None:
    uuid, _ = user_ids(client)[1]
    when = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    client.cdirectory_service.change_user(uuid, account_exp=when)
    client.cdirectory_service.change_user(uuid, account_exp="/Date(1893553445000)/")
    sent = [json.loads(r.body) for r in sandbox.requests() if r.operation == "CDirectoryService_ChangeUser"]
    assert [body["AccountExp"] for body in sent[-2:]] == ["2030-01-02T03:04:05+01:00", "/Date(1893553445000)/"]
    # A naive datetime would be a guess about the zone: refused, naming the argument.
    with pytest.raises(InvalidRequestError, match="account_exp.*timezone"):
        client.cdirectory_service.change_user(uuid, account_exp=datetime.datetime(2030, 1, 2))
    with pytest.raises(InvalidRequestError, match="account_exp"):
        client.cdirectory_service.change_user(uuid, account_exp=1893553445)  # type: ignore[arg-type]


def test_a_dotnet_date_read_goes_back_in_its_own_form(client: Client) -> None:
    uuid, _ = user_ids(client)[1]
    user = client.cdirectory_service.get_user(uuid)
    text = user.to_dict()["CreateDate"]
    created = user.create_date
    assert isinstance(created, datetime.datetime)
    # Passed back unchanged, the value is written as the tenant wrote it, not as RFC 3339.
    assert UserRow(start_date=created).to_dict()["StartDate"] == text
    # A new instant made from it (arithmetic, replace) is a new value: RFC 3339.
    later = created + datetime.timedelta(seconds=1)
    sent = UserRow(start_date=later).to_dict()["StartDate"]
    assert not sent.startswith("/Date(") and datetime.datetime.fromisoformat(sent) == later
    # An offset the tenant sent is kept too.
    local = UserRow(start_date="/Date(1712846865880+0200)/").start_date
    assert isinstance(local, datetime.datetime)
    assert UserRow(end_date=local).to_dict()["EndDate"] == "/Date(1712846865880+0200)/"
