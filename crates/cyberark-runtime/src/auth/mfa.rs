//! The caller's side of multi-factor login: challenges in, answers out.

use std::sync::Arc;

use futures::future::BoxFuture;

use crate::error::Error;
use crate::secret::Secret;

/// One mechanism the tenant offers for a login challenge, shown to an [`MfaHandler`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaChallenge {
    /// The mechanism's `Name`: `OTP`, `EMAIL`, `SMS`, `OATH`, `SQ`, `U2F`, `PF`, `QR`, …
    pub mechanism: String,
    /// The mechanism's `AnswerType`: `Text`, `StartTextOob`, `StartOob`, …
    ///
    /// For the `Start…` types the client has already started the out-of-band step (sent the
    /// e-mail or text, pushed the notification) before asking, so a code can be typed in or the
    /// handler can answer [`MfaAnswer::Poll`] to wait for the user to approve.
    pub answer_type: String,
    /// The text to show the user (`PromptMechChosen`, else `PromptSelectMech`).
    pub prompt: String,
    /// The mechanism's `MechanismId`.
    pub mechanism_id: String,
    /// The user logging in.
    pub user: String,
}

impl MfaChallenge {
    /// Returns `true` when the mechanism is out of band, so [`MfaAnswer::Poll`] is possible.
    pub fn can_poll(&self) -> bool {
        self.answer_type.starts_with("Start")
    }
}

/// What an [`MfaHandler`] answers to a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaAnswer {
    /// A code, OTP or security answer typed by the user.
    Text(Secret),
    /// Wait for an out-of-band approval: the client polls once a second until it completes
    /// (five minutes at most); a poll that fails with 5xx or a timeout is retried.
    Poll,
    /// Stop the login; the call fails with [`Error::Auth`].
    Cancel,
    /// Decline this mechanism and be offered the next one of the same challenge.
    Skip,
}

/// Answers the second (and further) factors of a user login.
///
/// The client calls it on a blocking thread (`tokio::task::spawn_blocking`), so a handler may
/// block, for example on a `stdin` prompt, without stalling other calls; the sign-in it belongs
/// to runs as its own task and holds no lock meanwhile.
///
/// A closure `Fn(&MfaChallenge) -> MfaAnswer` is a handler too; annotate its argument type
/// (`|challenge: &MfaChallenge| …`) or wrap it in [`mfa_handler_fn`] so the compiler infers the
/// lifetime correctly.
pub trait MfaHandler: Send + Sync {
    /// Answers one challenge; asynchronous so that a handler can wait for a user.
    fn answer<'a>(&'a self, challenge: &'a MfaChallenge)
    -> BoxFuture<'a, Result<MfaAnswer, Error>>;

    /// A handler bound to the call that is starting a sign-in, or `None` to use this one as is.
    ///
    /// The client calls it on the task of the call that starts a sign-in, just before the
    /// sign-in goes off to run as a task of its own (shared by every call waiting for a token).
    /// A handler that must answer where its caller is (the Python package runs a callback on
    /// the calling thread, or in the caller's event loop) reads what it needs here.
    fn for_caller(&self) -> Option<Arc<dyn MfaHandler>> {
        None
    }
}

impl<F> MfaHandler for F
where
    F: Fn(&MfaChallenge) -> MfaAnswer + Send + Sync,
{
    fn answer<'a>(
        &'a self,
        challenge: &'a MfaChallenge,
    ) -> BoxFuture<'a, Result<MfaAnswer, Error>> {
        Box::pin(std::future::ready(Ok(self(challenge))))
    }
}

/// Pins down a closure's signature as an MFA handler, so its argument type need not be written.
pub fn mfa_handler_fn<F>(handler: F) -> F
where
    F: Fn(&MfaChallenge) -> MfaAnswer + Send + Sync,
{
    handler
}
