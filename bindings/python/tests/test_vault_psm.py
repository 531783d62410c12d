"""PSM live sessions and recordings from Python: `Offset`/`Limit` paging, suspend, resume and
terminate, and recordings downloaded to a path or a binary file object in chunks."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from vault_helpers import admin, assert_all_routed, count, expect_vault

from cyberark_identity.testing import Sandbox
from cyberark_vault import AsyncClient, Client, InvalidRequestError
from cyberark_vault._native import PsmSession


def psm_status(session: PsmSession) -> Any:
    return session.to_dict().get("RawProperties", {}).get("PSMStatus")


def test_live_sessions_page_and_are_suspended_resumed_and_terminated(sandbox: Sandbox) -> None:
    with admin(sandbox) as vault:
        live = vault.live_sessions
        page = live.list(limit=2, offset=0)
        assert page.total == 3 and len(page.live_sessions) == 2
        sandbox.clear_requests()
        assert len(list(live.list_iter(page_size=2))) == 3
        assert count(sandbox, "LiveSessions_List") == 2, "Offset/Limit: one request a page"
        risky = next(iter(live.list_iter(sort="-RiskScore")))
        assert risky.risk_score == 85.0
        session_id, guid = risky.session_id, risky.session_guid
        assert guid is not None
        assert live.get(session_id).live_sessions[0].session_id == session_id
        assert live.list_activities(session_id).total == 2
        assert live.get_properties(session_id).session_guid == guid
        assert "full address" in live.monitor(session_id)
        # The same operation writes the RDP file when asked for bytes.
        rdp = io.BytesIO()
        assert live.monitor_download(session_id, to=rdp) == len(rdp.getvalue()) > 0
        assert b"full address:s:" in rdp.getvalue()
        accepts = [
            value
            for r in sandbox.requests()
            if r.operation == "LiveSessions_Monitor"
            for name, value in r.headers
            if name.lower() == "accept"
        ]
        assert accepts == ["application/json", "application/octet-stream"]

        with Client(
            sandbox.vault_url,
            method="LDAP",
            username=sandbox.vault_ldap_username,
            password=sandbox.vault_ldap_password,
            concurrent_session=True,
        ) as ldap:
            # A user who cannot see the session gets the Vault's 404 for it.
            expect_vault(lambda: ldap.live_sessions.terminate(guid), "LiveSessions_Terminate", 404, "SBXVA404E")

        live.suspend(guid)
        assert psm_status(live.get_properties(session_id)) == "Suspended"
        live.resume(guid)
        expect_vault(lambda: live.resume(guid), "LiveSessions_Resume", 409, "SBXVA409E")
        live.terminate(guid)
        assert live.list().total == 2
        expect_vault(lambda: live.get(session_id), "LiveSessions_Get", 404, "SBXVA404E")
    assert_all_routed(sandbox)


def test_recordings_list_and_download_to_a_path_or_a_file(sandbox: Sandbox, tmp_path: Path) -> None:
    with admin(sandbox) as vault:
        recordings = vault.recordings
        every = list(recordings.list_iter())
        assert len(every) == recordings.list().total and len(every) >= 6
        assert [r.session_id for r in recordings.list_iter(page_size=3)] == [r.session_id for r in every]
        recording_id = every[0].session_id
        assert recordings.get(recording_id).recordings[0].is_live is False
        recordings.list_activities(recording_id)
        size = recordings.get_properties(recording_id).video_size
        assert size is not None and size > 0
        assert recordings.is_valid(recording_id).is_valid

        # To a path: written through a .part file, renamed once complete.
        target = tmp_path / "session.rec"
        written = recordings.play(recording_id, to=target)
        assert written == size == target.stat().st_size
        assert target.read_bytes().startswith(b"SANDBOXREC1")
        assert not (tmp_path / "session.rec.part").exists()

        # To a binary file object: each chunk through write().
        buffer = io.BytesIO()
        assert recordings.play(recording_id, to=buffer) == size
        assert buffer.getvalue() == target.read_bytes()

        # A failed download leaves no file behind and keeps a file already there.
        kept = tmp_path / "kept.rec"
        kept.write_bytes(b"old")
        expect_vault(lambda: recordings.play("0_0", to=kept), "Recordings_Play", 404, "SBXVA404E")
        assert kept.read_bytes() == b"old"
        assert not (tmp_path / "kept.rec.part").exists()
        expect_vault(lambda: recordings.get("0_0"), "Recordings_Get", 404, "SBXVA404E")

        # A target that is neither a path nor writable is refused before anything is sent.
        with pytest.raises(InvalidRequestError, match="argument `to`"):
            recordings.play(recording_id, to=42)  # type: ignore[arg-type]
    assert_all_routed(sandbox)


def test_a_write_failure_of_the_target_is_raised(sandbox: Sandbox) -> None:
    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            raise OSError(28, "No space left on device")

    with admin(sandbox) as vault:
        recording_id = vault.recordings.list().recordings[0].session_id
        with pytest.raises(OSError, match="No space left"):
            vault.recordings.play(recording_id, to=Full())


def test_async_download_and_offset_limit_iterator(sandbox: Sandbox, tmp_path: Path) -> None:
    async def main() -> tuple[int, int, list[str]]:
        async with AsyncClient(
            sandbox.vault_url,
            username=sandbox.vault_admin_username,
            password=sandbox.vault_admin_password,
        ) as vault:
            ids = [s.session_id async for s in vault.recordings.list_iter(page_size=2)]
            size = (await vault.recordings.get_properties(ids[0])).video_size
            assert size is not None
            written = await vault.recordings.play(ids[0], to=tmp_path / "a.rec")
            return size, written, ids

    size, written, ids = asyncio.run(main())
    assert len(ids) >= 6 and len(set(ids)) == len(ids)
    assert written == size == (tmp_path / "a.rec").stat().st_size
