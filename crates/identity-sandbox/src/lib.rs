//! A local, stateful stand-in for a CyberArk Identity tenant (work in progress).
