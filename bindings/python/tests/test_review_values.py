"""Python values going in and results coming out, as the review of the bindings found them:
cyclic and deep values, lone surrogates, any Mapping, bad client options, results that pickle and
copy, fields converted once, and a logging bridge that leaves Python alone when it is disabled.

Cases that crashed the interpreter run in a child interpreter under a timeout, so a regression is
reported as a failed test instead of ending the test run."""

from __future__ import annotations

import collections
import copy
import gc
import logging
import math
import pickle
import subprocess
import sys
import textwrap
import types
from typing import Any, Callable, Iterator

import pytest

from cyberark_identity import (
    ApiError,
    Client,
    DecodeError,
    IdentityError,
    InvalidRequestError,
    RateLimitError,
)
from cyberark_identity._native import QueryArgs, ScimName, ScimUser, UserQueryTable, _raise_test_error
from cyberark_identity.testing import Sandbox

SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"

# Each builds a hostile value `v` and passes it where the bindings convert Python data to JSON;
# `c` is a client of a closed port, reached only if the conversion wrongly succeeds.
HOSTILE_VALUES = {
    "cyclic_dict_as_extra": "v = {}; v['self'] = v; c.user.update_profile('id', extra={'x': v})",
    "cyclic_extra_itself": "v = {}; v['self'] = v; c.user.update_profile('id', extra=v)",
    "cyclic_list_as_body": "v = []; v.append(v); c.authentication.logout(body=v)",
    "cyclic_dict_as_scim_body": (
        f"v = {{'schemas': ['{SCHEMA}'], 'userName': 'u'}}; v['name'] = v; c.scim.create_user(v)"
    ),
    "cyclic_dict_as_args": "v = {'PageSize': 1}; v['Nested'] = v; c.cdirectory_service.get_users(args=v)",
    "cyclic_dict_in_constructor": "v = {}; v['x'] = v; ScimUser([], 'u', name=v)",
    "deep_dict_as_extra": "v = {}\nfor _ in range(10_000): v = {'a': v}\nc.user.update_profile('id', extra={'x': v})",
    "deep_list_as_body": "v = []\nfor _ in range(10_000): v = [v]\nc.authentication.logout(body=v)",
    "deep_dict_as_args": "v = {}\nfor _ in range(10_000): v = {'a': v}\nc.cdirectory_service.get_users(args=v)",
    "deep_dict_in_constructor": "v = {}\nfor _ in range(10_000): v = {'a': v}\nScimUser([], 'u', name=v)",
}


def run_child(body: str) -> subprocess.CompletedProcess[str]:
    """Runs `body` in a fresh interpreter with `c`, a client of a closed port, in scope."""
    script = textwrap.dedent(
        """
        from cyberark_identity import Client, InvalidRequestError
        from cyberark_identity._native import ScimUser
        c = Client("http://127.0.0.1:1", token="t", max_attempts=1, timeout=2)
        try:
        {body}
        except InvalidRequestError as e:
            print("InvalidRequestError:", e)
        else:
            print("no error")
        """
    ).format(body=textwrap.indent(body, "    "))
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("case", sorted(HOSTILE_VALUES))
def test_cyclic_or_deep_values_raise_invalid_request(case: str) -> None:
    child = run_child(HOSTILE_VALUES[case])
    assert child.returncode == 0, f"the interpreter died ({child.returncode}): {child.stderr[-2000:]}"
    assert child.stdout.startswith("InvalidRequestError:"), child.stdout + child.stderr
    message = child.stdout
    assert ("cycle" in message) if "cyclic" in case else ("deeper than" in message)


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


def test_nesting_up_to_the_limit_is_accepted() -> None:
    # 127 lists inside the `name` object: 128 levels, the documented limit.
    user = ScimUser([], "u", name={"givenName": "A", "deep": nested(127)})
    assert user.name is not None and user.name.extra["deep"] == nested(127)
    with pytest.raises(InvalidRequestError, match=r"name\[\"deep\"\]"):
        ScimUser([], "u", name={"givenName": "A", "deep": nested(128)})


def test_a_shared_value_is_not_a_cycle() -> None:
    shared = {"givenName": "A"}
    user = ScimUser([], "u", name={"a": shared, "b": [shared, shared]})
    assert user.name is not None and user.name.extra == {"a": shared, "b": [shared, shared]}


def test_a_mapping_that_changes_while_it_is_converted() -> None:
    data: dict[str, Any] = {}

    class Grows:
        def to_dict(self) -> dict[str, Any]:
            for i in range(100):
                data[f"k{i}"] = i
            return {}

    data["grows"] = Grows()
    user = ScimUser([], "u", name=data)
    assert user.name is not None and user.name.extra == {"grows": {}}


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.org.create("\ud800"),
        lambda c: c.user.update_profile("id", extra={"k": "bad \udfff"}),
        lambda c: c.user.update_profile("id", extra={"\ud800": 1}),
        lambda c: c.authentication.logout(body={"a": ["\ud800"]}),
        lambda c: ScimUser([], "u", name={"givenName": "\ud800"}),
    ],
    ids=["argument", "extra_value", "extra_key", "body", "constructor"],
)
def test_a_lone_surrogate_raises_invalid_request(call: Callable[[Client], object]) -> None:
    client = Client("http://127.0.0.1:1", token="t", max_attempts=1)
    with pytest.raises(InvalidRequestError, match="not valid Unicode"):
        call(client)


@pytest.mark.parametrize(
    "wrap",
    [types.MappingProxyType, collections.UserDict, collections.OrderedDict],
    ids=["MappingProxyType", "UserDict", "OrderedDict"],
)
def test_any_mapping_is_accepted_for_request_objects(
    wrap: Callable[[dict[str, Any]], Any], client: Client, sandbox: Sandbox
) -> None:
    name = ScimUser([SCHEMA], "u", name=wrap({"givenName": "Ada", "middleName": "B"})).name
    assert name is not None and name.given_name == "Ada"
    assert name.extra == {"middleName": "B"}
    assert ScimName(given_name="Ada") == ScimName(given_name="Ada")
    sandbox.clear_requests()
    client.cdirectory_service.get_users(args=wrap({"PageSize": 1, "PageNumber": 1}))
    # `extra=` takes any mapping too.
    try:
        client.user.update_profile("no-such-user", extra=wrap({"Custom": 1}))
    except ApiError:
        pass
    bodies = {r.operation: r.body.replace(" ", "") for r in sandbox.requests()}
    assert '"PageSize":1' in bodies["CDirectoryService_GetUsers"]
    assert '"Custom":1' in bodies["User_UpdateProfile"]


@pytest.mark.parametrize("rate", [0, 0.0, -1, -0.5, math.nan, math.inf, 1e-19])
def test_a_rate_limit_that_is_no_rate_raises_invalid_request(rate: float) -> None:
    with pytest.raises(InvalidRequestError, match="rate_limit"):
        Client("http://127.0.0.1:1", token="t", rate_limit=rate)


def test_a_positive_rate_limit_is_accepted() -> None:
    Client("http://127.0.0.1:1", token="t", rate_limit=0.5)


@pytest.fixture
def table(client: Client) -> UserQueryTable:
    table = client.cdirectory_service.get_users()
    assert table.results, "the demo tenant has users"
    return table


def test_results_pickle_and_copy(table: UserQueryTable) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(table, protocol=protocol))
        assert type(again) is UserQueryTable
        assert again == table
        assert again.to_dict() == table.to_dict()
    shallow = copy.copy(table)
    deep = copy.deepcopy(table)
    assert shallow == table and deep == table
    assert deep.results is not table.results
    row = (table.results or [])[0]
    assert pickle.loads(pickle.dumps(row)) == row
    assert copy.deepcopy(row) == row


def test_built_objects_with_unknown_fields_and_secrets_pickle() -> None:
    user = ScimUser([SCHEMA], "u", password="s3cret", name={"givenName": "A", "unknown": [1, {"x": None}]})
    again = pickle.loads(pickle.dumps(user))
    assert again == user
    assert again.password == "s3cret"
    assert again.name is not None and again.name.extra == {"unknown": [1, {"x": None}]}
    assert copy.deepcopy(QueryArgs(page_size=3)) == QueryArgs(page_size=3)


@pytest.mark.parametrize("variant", ["api", "rate_limited", "decode", "invalid_request", "paging"])
def test_exceptions_still_pickle(variant: str) -> None:
    with pytest.raises(IdentityError) as info:
        _raise_test_error(variant)
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is type(info.value)
    assert str(again) == str(info.value)
    assert vars(again) == vars(info.value)
    if isinstance(again, (ApiError, RateLimitError, DecodeError)):
        assert again.operation == info.value.operation


def test_container_fields_are_converted_once(table: UserQueryTable) -> None:
    # `table.results[i]` in a loop converts `results` once, not on every read.
    assert table.results is table.results
    assert table.columns is table.columns
    assert table.extra is table.extra
    row = (table.results or [])[0]
    assert row.row is row.row
    # Scalars read the same way every time.
    assert table.full_count == table.full_count


def test_cached_fields_are_visible_to_the_garbage_collector(table: UserQueryTable) -> None:
    results = table.results
    assert results is not None
    assert any(referent is results for referent in gc.get_referents(table))


class CountingGetLogger:
    """Counts how often the bridge asks `logging` for one of the package's loggers."""

    def __init__(self, original: Callable[..., logging.Logger]) -> None:
        self.original = original
        self.calls = 0

    def __call__(self, name: str | None = None) -> logging.Logger:
        if name is not None and name.startswith("cyberark_identity"):
            self.calls += 1
        return self.original(name)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingGetLogger]:
    logger = logging.getLogger("cyberark_identity")
    level = logger.level
    counter = CountingGetLogger(logging.getLogger)
    monkeypatch.setattr(logging, "getLogger", counter)
    yield counter
    logger.setLevel(level)


def test_a_disabled_logger_costs_no_call_into_python(
    client: Client, counting: CountingGetLogger, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("cyberark_identity")
    logger.setLevel(logging.CRITICAL + 1)
    counting.calls = 0
    client.cdirectory_service.get_users()
    client.cdirectory_service.get_users()
    assert counting.calls == 0
    # Reconfiguring logging is seen at once: records flow again.
    with caplog.at_level(logging.DEBUG, logger="cyberark_identity"):
        client.cdirectory_service.get_users()
    assert any(r.name.startswith("cyberark_identity") for r in caplog.records)
    assert counting.calls > 0


def test_logging_disable_is_seen(client: Client, counting: CountingGetLogger) -> None:
    logging.getLogger("cyberark_identity").setLevel(logging.DEBUG)
    logging.disable(logging.CRITICAL)
    try:
        counting.calls = 0
        client.cdirectory_service.get_users()
        assert counting.calls == 0
    finally:
        logging.disable(logging.NOTSET)
    client.cdirectory_service.get_users()
    assert counting.calls > 0
