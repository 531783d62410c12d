//! PSM sessions: live ones, and the recordings they become.

use serde_json::{Value, json};

/// A PSM session: live while `end` is `None`, a recording afterwards.
#[derive(Debug, Clone)]
pub struct PsmSession {
    /// `SessionID`.
    pub id: String,
    /// `SessionGuid`.
    pub guid: String,
    /// Safe of the recording.
    pub safe: String,
    /// Start (s).
    pub start: i64,
    /// End (s), once ended.
    pub end: Option<i64>,
    /// Whether it is suspended.
    pub suspended: bool,
    /// Vault user who connected.
    pub user: String,
    /// Target.
    pub remote_machine: String,
    /// Account user name.
    pub account_user: String,
    /// Account platform.
    pub platform: String,
    /// Account address.
    pub address: String,
    /// Protocol.
    pub protocol: String,
    /// Client address.
    pub from_ip: String,
    /// PTA risk score, -1 for none.
    pub risk: i64,
    /// Size of the recording in bytes.
    pub size: usize,
}

impl PsmSession {
    /// Whether the session is still running.
    pub fn is_live(&self) -> bool {
        self.end.is_none()
    }

    /// The JSON of the session.
    pub fn to_json(&self, now: i64) -> Value {
        let live = self.is_live();
        let end = self.end.unwrap_or(0);
        let status = if self.suspended {
            "Suspended"
        } else if live {
            "Active"
        } else {
            "Completed"
        };
        json!({
            "CanTerminate": live, "CanMonitor": live, "CanSuspend": live,
            "SessionID": self.id, "SessionGuid": self.guid, "SafeName": self.safe, "FolderName": "Root", "IsLive": live,
            "FileName": format!("{}.session", self.guid), "Start": self.start, "End": end,
            "Duration": if live { now - self.start } else { end - self.start },
            "User": self.user, "RemoteMachine": self.remote_machine, "ProtectionDate": 0, "ProtectedBy": "", "ProtectionEnabled": false,
            "AccountUsername": self.account_user, "AccountPlatformID": self.platform, "AccountAddress": self.address,
            "PIMSuCommand": "", "PIMSuCWD": "", "ConnectionComponentID": format!("PSM-{}", self.protocol), "PSMRecordingEntity": "SessionRecording",
            "TicketID": "", "FromIP": self.from_ip, "Protocol": self.protocol, "Client": self.protocol,
            "RiskScore": self.risk, "Severity": if self.risk >= 50 { "high" } else { "" }, "IncidentDetails": Value::Null,
            "RawProperties": {"PSMStatus": status, "PSMStartTime": self.start.to_string(), "Safe": self.safe, "Folder": "Root"},
            "RecordingFiles": [], "RecordedActivities": [],
            "VideoSize": if live { Value::Null } else { Value::from(self.size) }, "TextSize": Value::Null,
            "DetailsUrl": format!("Livesessiondetails.aspx?Data={}", self.guid),
        })
    }

    /// The recording's bytes: deterministic, so a download can be checked.
    pub fn recording_bytes(&self) -> Vec<u8> {
        let mut state: u64 = self.guid.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let mut out = Vec::with_capacity(self.size);
        out.extend_from_slice(b"SANDBOXREC1\n");
        while out.len() < self.size {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            out.extend_from_slice(&state.to_le_bytes());
        }
        out.truncate(self.size);
        out
    }
}
