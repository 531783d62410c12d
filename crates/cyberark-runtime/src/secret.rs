//! A string that must never be printed: passwords, client secrets, tokens and MFA answers.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// A secret value (password, client secret, token, one-time code).
///
/// `Debug` and `Display` print `***` so that a secret cannot leak through logs, error messages or
/// a careless `{:?}`; the value is only reachable through [`Secret::expose`], which makes every
/// place that reads it easy to find. On the wire it serialises as the plain string.
///
/// When a `Secret` is dropped its buffer is overwritten with zeros (the `zeroize` crate, whose
/// writes the compiler may not remove), so a password or token does not linger in freed memory
/// for a core dump or a later allocation to reveal. Copies made outside it (the HTTP library's
/// header buffers, a Python `str`) are beyond its reach.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value as a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// Returns the secret value. Call it only where the value goes onto the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Returns `true` when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Secret {
    /// Overwrites the whole buffer (its spare capacity included) with zeros and empties it.
    fn wipe(&mut self) {
        self.0.zeroize();
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl From<&String> for Secret {
    fn from(value: &String) -> Self {
        Secret(value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(***)");
        assert_eq!(secret.expose(), "hunter2");
    }

    /// Issue 11: secrets are zeroed in memory when dropped, on top of being redacted. The test
    /// runs the wipe `drop` runs, then reads the buffer, which the emptied `String` still owns.
    #[test]
    fn dropping_zeroes_the_buffer() {
        let mut secret = Secret::new(String::from("hunter2-pass"));
        let (ptr, capacity) = (secret.0.as_ptr(), secret.0.capacity());
        secret.wipe();
        assert!(secret.is_empty());
        assert_eq!(secret.0.capacity(), capacity, "the buffer is still owned");
        // SAFETY: the `String` still owns this allocation of `capacity` bytes (checked above),
        // and zeroize wrote every one of them, so they are initialised.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, capacity) };
        assert!(bytes.iter().all(|b| *b == 0), "{bytes:?}");
    }

    #[test]
    fn serde_is_transparent() {
        let secret = Secret::from("hunter2");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"hunter2\"");
        let back: Secret = serde_json::from_str("\"hunter2\"").unwrap();
        assert_eq!(back, secret);
    }
}
