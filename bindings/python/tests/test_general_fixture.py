"""The generator's `general` fixture (ordinary OpenAPI 3.0, `codegen/tests/snapshots/general/`)
from Python, against a scripted server on 127.0.0.1: one test per answer shape, each checking
what went out on the wire and what came back typed. They mirror the Rust wire tests of the same
fixture (`codegen/tests/snapshots/general_wire.rs`).

The fixture's classes are the module `cyberark_identity._general_fixture`, built into the
extension only with the bindings crate's feature `general-fixture` (`cargo xtask test python`
turns it on; the published wheel is built without it).
"""

from __future__ import annotations

import asyncio
import datetime
import io
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

from cyberark_identity.errors import ApiError

try:
    from cyberark_identity import _general_fixture as general
except ImportError as error:  # pragma: no cover - a build without the feature
    raise ImportError(
        "cyberark_identity._general_fixture is missing: build the extension with the feature "
        "`general-fixture` (`maturin develop --features general-fixture`; `cargo xtask test python` does)"
    ) from error


@dataclass
class Answer:
    """One scripted answer: status, content type and body; `hold_after` bytes of the body are
    sent first, and the rest only once `release` is set."""

    status: int
    content_type: str
    body: bytes
    hold_after: Optional[int] = None
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class Received:
    """What the server received: method, target (path and query), headers and body."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def answer(status: int, value: Any) -> Answer:
    return Answer(status, "application/json", json.dumps(value).encode())


class Scripted:
    """Serves its answers in order and records every request; a request beyond the script is
    answered 599 and recorded as unexpected, which fails the test."""

    def __init__(self, answers: list[Answer]) -> None:
        self.answers = list(answers)
        self.received: list[Received] = []
        self.unexpected: list[Received] = []
        self.lock = threading.Lock()
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle_one_request(self) -> None:
                # Every method is handled the same way, whatever the verb.
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or not self.parse_request():
                    self.close_connection = True
                    return
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length) if length else b""
                request = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with scripted.lock:
                    if scripted.answers:
                        scripted.received.append(request)
                        next_answer = scripted.answers.pop(0)
                    else:
                        scripted.unexpected.append(request)
                        next_answer = Answer(599, "text/plain", b"not in the script")
                self.send_response(next_answer.status)
                self.send_header("Content-Type", next_answer.content_type)
                self.send_header("Content-Length", str(len(next_answer.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                held = next_answer.hold_after
                if held is None:
                    self.wfile.write(next_answer.body)
                else:
                    self.wfile.write(next_answer.body[:held])
                    self.wfile.flush()
                    # A bound on the wait only keeps a client that never reads from hanging
                    # the suite; the test asserts the release came from the client.
                    next_answer.release.wait(60)
                    self.wfile.write(next_answer.body[held:])
                self.wfile.flush()
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


Serve = Callable[[list[Answer]], "tuple[Scripted, general.Client]"]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """`serve(answers)` starts a scripted server and returns it with a client of it; at the end
    of the test, every scripted answer must have been asked for, and nothing more, and every
    request must have carried the client's token."""
    started: list[Scripted] = []

    def start(answers: list[Answer]) -> tuple[Scripted, general.Client]:
        server = Scripted(answers)
        started.append(server)
        return server, general.Client(server.url, token="t0ken", max_attempts=2)

    yield start
    for server in started:
        server.close()
        assert server.answers == [], "scripted answers left unasked"
        assert server.unexpected == [], "requests beyond the script"
        assert [r.headers.get("authorization") for r in server.received] == ["Bearer t0ken"] * len(server.received)


def test_parameters_of_every_style_and_a_recursive_answer(serve: Serve) -> None:
    server, client = serve(
        [
            answer(
                200,
                {
                    "id": "n2",
                    "name": "leaf",
                    "created": "2024-05-31T12:30:00.000Z",
                    "born": "2024-02-29",
                    "tree": "09B9A9B0-6CE8-465F-AB03-65766D33B05E",
                    "parent": {"id": "n1", "name": "root", "parent": None, "created": "/Date(1700000000000)/"},
                    "children": [{"name": "c", "children": [{"name": "grandchild"}]}],
                    "labels": {"k": "v", "other key": "w"},
                    "new_key": 1,
                },
            )
        ]
    )
    node = client.nodes.get(
        "n2", ids=[1, 2], tags=["x", "y"], filter={"name": "a b"}, x_request_id="r-1", x_trace=["a", "b"]
    )
    # A recursive type decodes at every depth, and into the same class.
    assert isinstance(node, general.Node)
    assert node.parent is not None and isinstance(node.parent, general.Node)
    assert (node.parent.id, node.parent.name, node.parent.parent) == ("n1", "root", None)
    assert node.children is not None
    grandchildren = node.children[0].children
    assert grandchildren is not None and grandchildren[0].name == "grandchild"
    # A map from `additionalProperties` is a dict; fields the spec does not know are kept.
    assert node.labels == {"k": "v", "other key": "w"}
    assert node.extra == {"new_key": 1}
    # A date-time is an aware `datetime`, in either wire form; dates and uuids are their text
    # exactly as sent.
    assert (node.created, node.born, node.tree) == (
        datetime.datetime(2024, 5, 31, 12, 30, tzinfo=datetime.timezone.utc),
        "2024-02-29",
        "09B9A9B0-6CE8-465F-AB03-65766D33B05E",
    )
    assert node.parent.created == datetime.datetime.fromtimestamp(1_700_000_000, datetime.timezone.utc)
    # writeOnly: an answer without it decodes, as absent.
    assert node.passphrase is None
    (sent,) = server.received
    # form (explode), comma (explode: false) and deepObject, in the spec's order.
    assert (sent.method, sent.target) == ("GET", "/nodes/n2?ids=1&ids=2&tags=x%2Cy&filter%5Bname%5D=a+b")
    assert sent.headers["x-request-id"] == "r-1"
    assert sent.headers["x-trace"] == "a,b"
    assert sent.headers["accept"] == "application/json"


def test_optional_parameters_left_out_are_not_sent(serve: Serve) -> None:
    server, client = serve([answer(200, {"name": "n", "id": "x/y"})])
    assert client.nodes.get("x/y").name == "n"
    (sent,) = server.received
    # A path parameter cannot change the path's shape.
    assert sent.target == "/nodes/x%2Fy"
    assert "x-request-id" not in sent.headers and "x-trace" not in sent.headers


def test_a_plain_json_object_and_an_all_of_are_typed(serve: Serve) -> None:
    server, client = serve(
        [
            answer(200, {"extra_flag": True}),
            answer(200, {"id": "b", "note": "merged", "later": [1]}),
            answer(404, {"message": "no flags here"}),
        ]
    )
    flags = client.shapes.flags()
    assert isinstance(flags, general.Flags) and flags.extra_flag is True
    merged = client.shapes.merged()
    # allOf of two objects is one class with the fields of both.
    assert isinstance(merged, general.Merged)
    assert (merged.id, merged.note, merged.extra) == ("b", "merged", {"later": [1]})
    assert merged.to_dict() == {"id": "b", "note": "merged", "later": [1]}
    with pytest.raises(ApiError) as failure:
        client.shapes.flags()
    # A plain JSON API's failure comes with its real status.
    assert failure.value.status == 404
    assert [(r.method, r.target) for r in server.received] == [("GET", "/flags"), ("GET", "/merged"), ("GET", "/flags")]


def test_one_of_with_a_discriminator_picks_the_arm_by_tag(serve: Serve) -> None:
    server, client = serve(
        [
            answer(200, {"petType": "cat", "lives": 9}),
            answer(200, {"petType": "dog", "good": True}),
            answer(200, {"petType": "bird", "wings": 2}),
        ]
    )
    cat = client.shapes.pet("1")
    assert isinstance(cat, general.Cat) and (cat.pet_type, cat.lives) == ("cat", 9)
    dog = client.shapes.pet("2")
    assert isinstance(dog, general.Dog) and dog.good is True
    # An arm the spec does not know is kept as its JSON.
    bird = client.shapes.pet("3")
    assert bird == {"petType": "bird", "wings": 2}
    assert [r.target for r in server.received] == ["/pets/1", "/pets/2", "/pets/3"]


def test_any_of_a_string_and_an_object_decodes_by_shape(serve: Serve) -> None:
    server, client = serve([answer(200, "a name"), answer(200, {"score": 0.5})])
    assert client.shapes.search("who?") == "a name"
    found = client.shapes.search("what & why")
    assert isinstance(found, general.Match) and found.score == 0.5
    assert [r.target for r in server.received] == ["/search?q=who%3F", "/search?q=what+%26+why"]


def test_a_text_answer_is_a_string(serve: Serve) -> None:
    server, client = serve([Answer(200, "text/plain", "# Read me\n{not json} é".encode())])
    assert client.shapes.readme() == "# Read me\n{not json} é"
    (sent,) = server.received
    assert sent.headers["accept"].startswith("text/plain")


def test_a_byte_answer_streams_into_a_file_object(serve: Serve) -> None:
    body = b"a" * 1000 + bytes(range(256)) * 12
    recording = Answer(200, "application/octet-stream", body, hold_after=1000)
    server, client = serve([recording])

    class Sink(io.RawIOBase):
        """Releases the rest of the body once the first bytes reached the caller, so the
        download can only finish if it hands chunks over as they arrive."""

        def __init__(self) -> None:
            self.data = bytearray()
            self.released_by_us = False

        def writable(self) -> bool:
            return True

        def write(self, chunk: Any) -> int:
            self.data.extend(chunk)
            if not recording.release.is_set():
                self.released_by_us = True
                recording.release.set()
            return len(chunk)

    sink = Sink()
    assert client.shapes.recording("r1", to=sink) == len(body)
    assert bytes(sink.data) == body
    assert sink.released_by_us, "the first chunk reached the caller before the rest was sent"
    (sent,) = server.received
    assert (sent.method, sent.target, sent.headers["accept"]) == ("GET", "/recordings/r1", "*/*")


def test_a_byte_answer_downloads_to_a_path(serve: Serve, tmp_path: Path) -> None:
    body = bytes(range(256)) * 64
    _, client = serve([Answer(200, "application/octet-stream", body)])
    target = tmp_path / "recording.bin"
    assert client.shapes.recording("r2", to=target) == len(body)
    assert target.read_bytes() == body


def test_several_success_codes_decode_by_status(serve: Serve) -> None:
    server, client = serve(
        [
            answer(202, {"location": "/queue/7"}),
            answer(200, {"id": "n9", "name": "old"}),
        ]
    )
    # `Node` is both the body and an answer: its readOnly `id` (here and in a child) is kept in
    # the value the caller holds, never sent; its writeOnly `passphrase` is sent.
    body = general.Node("new", id="ignored", passphrase="p", children=[general.Node("kid", id="ignored too")])
    assert body.id == "ignored"
    pending = client.nodes.create(body)
    assert isinstance(pending, general.Pending) and pending.location == "/queue/7"
    existing = client.nodes.create({"name": "new", "id": "ignored", "weight": 3})
    assert isinstance(existing, general.Node) and (existing.id, existing.name) == ("n9", "old")
    first, second = (r.json() for r in server.received)
    assert first == {"name": "new", "passphrase": "p", "children": [{"name": "kid"}]}
    assert second == {"name": "new", "weight": 3}
    assert [(r.method, r.target) for r in server.received] == [("POST", "/nodes")] * 2


def test_enum_values_that_are_keywords_round_trip(serve: Serve) -> None:
    wire = ["Self", "None", "type", "class", "a", "A", "Unknown"]
    server, client = serve([answer(200, value) for value in wire] + [answer(200, "brand-new")])
    for value in wire:
        assert client.shapes.set_kind(value) == value
    # A value the spec does not list is kept too.
    assert client.shapes.set_kind("Self") == "brand-new"
    assert [r.json() for r in server.received] == [{"kind": value} for value in wire + ["Self"]]
    assert {(r.method, r.target) for r in server.received} == {("PUT", "/kinds")}


def test_a_deprecated_operation_warns_with_the_specs_description(serve: Serve) -> None:
    server, client = serve([answer(200, {"extra_flag": False})])
    with pytest.warns(DeprecationWarning, match="Use Shapes_Flags instead"):
        flags = client.shapes.legacy()
    assert flags.extra_flag is False
    assert [(r.method, r.target) for r in server.received] == [("POST", "/legacy")]


def test_idempotency_follows_the_method(serve: Serve) -> None:
    server, client = serve(
        [
            Answer(503, "text/plain", b"busy"),
            Answer(204, "text/plain", b""),
            Answer(503, "text/plain", b"busy"),
        ]
    )
    # A DELETE is idempotent although the spec does not say so: the 503 is retried.
    client.nodes.delete("n1")
    # A POST is not: the 503 is the answer.
    with pytest.warns(DeprecationWarning), pytest.raises(ApiError) as failure:
        client.shapes.legacy()
    assert failure.value.status == 503
    assert [(r.method, r.target) for r in server.received] == [
        ("DELETE", "/nodes/n1"),
        ("DELETE", "/nodes/n1"),
        ("POST", "/legacy"),
    ]


def test_the_async_client_round_trips_the_same_shapes(serve: Serve) -> None:
    server, _ = serve([answer(200, {"petType": "cat", "lives": 3}), answer(202, {"location": "/q/1"})])

    async def main() -> tuple[object, object]:
        async with general.AsyncClient(server.url, token="t0ken") as client:
            pet = await client.shapes.pet("7")
            created = await client.nodes.create(general.Node("n", id="not sent"))
            return pet, created

    pet, created = asyncio.run(main())
    assert isinstance(pet, general.Cat) and pet.lives == 3
    assert isinstance(created, general.Pending) and created.location == "/q/1"
    assert server.received[1].json() == {"name": "n"}
