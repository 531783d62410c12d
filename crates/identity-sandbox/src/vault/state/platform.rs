//! Platforms: the policies accounts are onboarded on, in the three vocabularies the API uses.

use serde_json::{Value, json};

/// A platform.
#[derive(Debug, Clone)]
pub struct Platform {
    /// Numeric id.
    pub number: i64,
    /// Platform id.
    pub id: String,
    /// Name.
    pub name: String,
    /// System type.
    pub system_type: String,
    /// `Regular`, `Group`, `RotationalGroup` or `Dependent`.
    pub kind: &'static str,
    /// Active.
    pub active: bool,
    /// Whether the policy demands a reason to retrieve.
    pub require_reason: bool,
}

impl Platform {
    /// The summary JSON of `GET /API/Platforms`.
    pub fn summary(&self) -> Value {
        json!({
            "general": {"id": self.id, "name": self.name, "systemType": self.system_type, "active": self.active,
                        "description": format!("{} (sandbox)", self.name), "platformBaseID": self.id, "platformType": self.kind},
            "properties": {"required": [{"name": "Username", "displayName": "Username"}, {"name": "Address", "displayName": "Address"}],
                           "optional": [{"name": "Port", "displayName": "Port"}]},
            "linkedAccounts": [{"name": "LogonAccount", "displayName": "Logon Account"}, {"name": "ReconcileAccount", "displayName": "Reconcile Account"}],
            "credentialsManagement": {"allowedSafes": ".*", "allowManualChange": true, "performPeriodicChange": true, "requirePasswordChangeEveryXDays": 90,
                                      "allowManualVerification": true, "performPeriodicVerification": true, "requirePasswordVerificationEveryXDays": 7,
                                      "allowManualReconciliation": true, "automaticReconcileWhenUnsynched": true},
            "sessionManagement": {"requirePrivilegedSessionMonitoringAndIsolation": true, "recordAndSaveSessionActivity": true, "PSMServerID": "PSMServer_sandbox"},
            "privilegedAccessWorkflows": {"requireDualControlPasswordAccessApproval": false, "enforceCheckinCheckoutExclusiveAccess": false, "enforceOnetimePasswordAccess": false},
        })
    }

    /// The INI details of `GET /API/Platforms/{id}`.
    pub fn details(&self) -> Value {
        json!({
            "PlatformID": self.id,
            "Details": {"PolicyID": self.id, "PolicyName": self.name, "PolicyType": self.kind, "ImmediateInterval": "5",
                        "Interval": "1440", "AllowedSafes": ".*", "PasswordLength": "16",
                        "RequireReason": if self.require_reason { "Yes" } else { "No" }},
            "Active": self.active,
        })
    }

    /// The PascalCase entry of the targets / dependents / groups lists.
    pub fn entry(&self) -> Value {
        let flag = json!({"IsActive": false, "IsAnException": false});
        if self.kind == "Regular" {
            json!({"ID": self.number, "PlatformID": self.id, "Name": self.name, "Active": self.active, "SystemType": self.system_type,
                   "AllowedSafes": ".*",
                   "PrivilegedAccessWorkflows": {"RequireDualControlPasswordAccessApproval": flag, "EnforceCheckinCheckoutExclusiveAccess": flag,
                       "EnforceOnetimePasswordAccess": flag, "RequireUsersToSpecifyReasonForAccess": {"IsActive": self.require_reason, "IsAnException": false}},
                   "CredentialsManagementPolicy": {"Verification": {"PerformAutomatic": true, "RequirePasswordEveryXDays": 7, "AllowManual": true},
                       "Change": {"PerformAutomatic": true, "RequirePasswordEveryXDays": 90, "AllowManual": true},
                       "Reconcile": {"AutomaticReconcileWhenUnsynced": true, "AllowManual": true}},
                   "PrivilegedSessionManagement": {"PSMServerId": "PSMServer_sandbox"}})
        } else {
            json!({"ID": self.number, "PlatformID": self.id, "Name": self.name, "Active": self.active,
                   "Description": format!("{} (sandbox)", self.name)})
        }
    }
}
