//! Connectors (the Redrock `Proxy` table): on-premises agents that link a tenant to Active
//! Directory and other services. The sandbox has no agents; it lists a seeded one so the
//! official SDKs' connector queries have something to find.

/// One connector, with the columns the official Python SDK reads.
#[derive(Debug, Clone)]
pub struct Connector {
    /// Connector ID (`ID`).
    pub id: String,
    /// Display name (`Name`).
    pub name: String,
    /// Host machine name (`MachineName`).
    pub machine_name: String,
    /// DNS host name (`DnsHostName`).
    pub dns_host_name: String,
    /// Active Directory forest (`Forest`).
    pub forest: String,
    /// Whether the connector is online (`Online`).
    pub online: bool,
    /// Connector version (`Version`).
    pub version: String,
    /// Customer name (`CustomerName`).
    pub customer_name: String,
}
