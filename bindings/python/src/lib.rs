//! Python bindings of the CyberArk Identity client (in progress).
