//! The cached token: refreshed ahead of expiry in the background, fetched by one task that
//! every waiting call shares, success or failure.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use tokio::time::Instant;

use super::FAILURE_BACKOFF;
use crate::error::Error;
use crate::secret::Secret;

/// The longest margin by which a token is refreshed before it expires.
const MAX_MARGIN: Duration = Duration::from_secs(60);

/// Lifetimes beyond this are not believed: the token is kept until the tenant refuses it, as
/// when no lifetime is reported. (An absurd `expires_in` would otherwise overflow the clock.)
const MAX_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);

/// How long a token stays confirmed after signing in again did not cure a 401: within this time
/// a 401 to it is a refusal of the call, not of the token, and does not sign in (or prompt for
/// MFA) again. Afterwards a 401 is again taken to mean the token may have been revoked.
const TRUST_WINDOW: Duration = Duration::from_secs(60);

/// A token and the moments it should be replaced and stops working.
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub(crate) token: Secret,
    /// When to start fetching a successor; `None` means "no known expiry".
    refresh_at: Option<Instant>,
    /// When the token stops working; until then it is used while the successor is fetched.
    expires_at: Option<Instant>,
    /// When a call refused with the previous token was refused with this fresh one too.
    confirmed_at: Option<Instant>,
}

impl CachedToken {
    /// A token that lives for `lifetime` from now, or indefinitely when the lifetime is unknown,
    /// zero, or beyond a year.
    ///
    /// It is refreshed a margin ahead of expiry (a tenth of the lifetime, at most a minute) so
    /// that a request never leaves with a token that expires on the way.
    pub(crate) fn new(token: Secret, lifetime: Option<Duration>) -> Self {
        let now = Instant::now();
        let lifetime = lifetime.filter(|l| !l.is_zero() && *l <= MAX_LIFETIME);
        let expires_at = lifetime.and_then(|l| now.checked_add(l));
        let refresh_at = lifetime.and_then(|l| now.checked_add(l - (l / 10).min(MAX_MARGIN)));
        CachedToken {
            token,
            refresh_at,
            expires_at,
            confirmed_at: None,
        }
    }

    /// Whether the token needs no successor yet.
    fn is_fresh(&self, now: Instant) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }

    /// Whether the token still works.
    fn is_valid(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
}

/// The result of a sign-in as every waiter sees it.
type SharedFetch = Shared<BoxFuture<'static, Result<Secret, Arc<Error>>>>;

#[derive(Debug, Default)]
struct State {
    current: Option<CachedToken>,
    /// The sign-in under way, if any.
    inflight: Option<SharedFetch>,
    /// The last sign-in's failure, handed to callers until the instant given.
    failure: Option<(Arc<Error>, Instant)>,
}

impl State {
    fn failing(&self, now: Instant) -> Option<&Arc<Error>> {
        self.failure
            .as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(error, _)| error)
    }
}

/// What a 401 said about the token.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The token may have expired; it was dropped.
    Stale,
    /// Signing in again did not cure a 401 less than a minute ago; the token was kept.
    Confirmed,
}

/// Holds the current token and the sign-in under way.
///
/// The sign-in runs as its own task, not inside the call that started it: a call that gives up
/// (its deadline passed) does not cancel it, and every call that arrives meanwhile waits for
/// the same result. A failure is shared too, for [`FAILURE_BACKOFF`], so many waiting calls do
/// not each repeat it.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    state: Mutex<State>,
}

impl TokenCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns a usable token for a call of `operation`, signing in with `start` if there is
    /// none, waiting at most `wait` (the caller's remaining time).
    ///
    /// A token due for refresh but still valid is returned at once while its successor is
    /// fetched in the background; if that fetch fails, the valid token stays in use.
    pub(crate) async fn get<F, Fut>(
        self: &Arc<Self>,
        start: F,
        operation: &'static str,
        wait: Option<Duration>,
    ) -> Result<Secret, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<CachedToken, Error>> + Send + 'static,
    {
        let fetch = {
            let mut state = self.lock();
            let now = Instant::now();
            if let Some(current) = state.current.as_ref().filter(|c| c.is_valid(now)) {
                let token = current.token.clone();
                let due = !current.is_fresh(now);
                if due && state.inflight.is_none() && state.failing(now).is_none() {
                    tracing::debug!("refreshing the token in the background");
                    // The task runs on its own; its result lands in the cache.
                    let _background = self.start(&mut state, start());
                }
                return Ok(token);
            }
            if let Some(error) = state.failing(now) {
                return Err(error.for_caller(operation));
            }
            match &state.inflight {
                Some(fetch) => fetch.clone(),
                None => self.start(&mut state, start()),
            }
        };
        let result = match wait {
            Some(wait) => match tokio::time::timeout(wait, fetch).await {
                Ok(result) => result,
                Err(_) => {
                    return Err(Error::Timeout {
                        operation,
                        elapsed: wait,
                    });
                }
            },
            None => fetch.await,
        };
        result.map_err(|error| error.for_caller(operation))
    }

    /// Spawns a sign-in and records it as the one under way.
    fn start<Fut>(self: &Arc<Self>, state: &mut State, sign_in: Fut) -> SharedFetch
    where
        Fut: Future<Output = Result<CachedToken, Error>> + Send + 'static,
    {
        let cache = Arc::clone(self);
        let task = tokio::spawn(async move {
            let result = sign_in.await;
            cache.finish(result)
        });
        let fetch = async move {
            task.await.unwrap_or_else(|error| {
                Err(Arc::new(Error::config(format!(
                    "the sign-in task stopped: {error}"
                ))))
            })
        }
        .boxed()
        .shared();
        state.inflight = Some(fetch.clone());
        fetch
    }

    /// Stores what a sign-in produced.
    fn finish(&self, result: Result<CachedToken, Error>) -> Result<Secret, Arc<Error>> {
        let mut state = self.lock();
        state.inflight = None;
        match result {
            Ok(token) => {
                state.failure = None;
                let secret = token.token.clone();
                state.current = Some(token);
                Ok(secret)
            }
            Err(error) => {
                // A failed early refresh leaves the still-valid token in place.
                let error = Arc::new(error);
                state.failure = Some((error.clone(), Instant::now() + FAILURE_BACKOFF));
                Err(error)
            }
        }
    }

    /// Removes the current token and returns it (for a logoff): the next call signs in again.
    pub(crate) fn take_current(&self) -> Option<Secret> {
        let mut state = self.lock();
        state.failure = None;
        state.current.take().map(|c| c.token)
    }

    /// Records that `token`, fetched to replace a refused one, was refused too: the token is
    /// fine, the call is not allowed.
    pub(crate) fn confirm(&self, token: &Secret) {
        let mut state = self.lock();
        if let Some(current) = state.current.as_mut().filter(|c| &c.token == token) {
            current.confirmed_at = Some(Instant::now());
        }
    }

    /// Handles a 401 to `token`: a token confirmed within the trust window is kept (the call was
    /// refused, not the token); otherwise it is dropped, unless another call has already
    /// replaced it, so many concurrent 401s cause one sign-in, not many.
    pub(crate) fn refused(&self, token: &Secret) -> Refusal {
        let mut state = self.lock();
        let now = Instant::now();
        let Some(current) = state.current.as_ref().filter(|c| &c.token == token) else {
            return Refusal::Stale;
        };
        if current
            .confirmed_at
            .is_some_and(|at| now.duration_since(at) < TRUST_WINDOW)
        {
            return Refusal::Confirmed;
        }
        state.current = None;
        state.failure = None;
        Refusal::Stale
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A sign-in that takes `delay` and returns `t1`, `t2`, … or fails when `fail` is set.
    fn counting_fetch(
        counter: &Arc<AtomicU32>,
        lifetime: Option<Duration>,
        delay: Duration,
        fail: bool,
    ) -> impl Future<Output = Result<CachedToken, Error>> + Send + 'static + use<> {
        let counter = counter.clone();
        async move {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(delay).await;
            if fail {
                return Err(Error::config(format!("fetch {n} failed")));
            }
            Ok(CachedToken::new(Secret::new(format!("t{n}")), lifetime))
        }
    }

    const MS10: Duration = Duration::from_millis(10);

    async fn get(
        cache: &Arc<TokenCache>,
        fetches: &Arc<AtomicU32>,
        life: Option<Duration>,
    ) -> Result<Secret, Error> {
        cache
            .get(|| counting_fetch(fetches, life, MS10, false), "Op", None)
            .await
    }

    #[tokio::test(start_paused = true)]
    async fn refreshes_a_margin_before_expiry_in_the_background() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let life = Some(Duration::from_secs(900));
        assert_eq!(get(&cache, &fetches, life).await.unwrap().expose(), "t1");
        tokio::time::advance(Duration::from_secs(830)).await;
        assert_eq!(get(&cache, &fetches, life).await.unwrap().expose(), "t1");
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // 900 s minus the 60 s margin: at 841 s the still-valid token is used while t2 is
        // fetched in the background.
        tokio::time::advance(Duration::from_secs(11)).await;
        assert_eq!(get(&cache, &fetches, life).await.unwrap().expose(), "t1");
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(get(&cache, &fetches, life).await.unwrap().expose(), "t2");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_early_refresh_keeps_the_valid_token() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let life = Some(Duration::from_secs(900));
        get(&cache, &fetches, life).await.unwrap();
        tokio::time::advance(Duration::from_secs(850)).await;
        let failing = || counting_fetch(&fetches, life, MS10, true);
        assert_eq!(cache.get(failing, "Op", None).await.unwrap().expose(), "t1");
        tokio::time::sleep(Duration::from_secs(1)).await;
        let failing = || counting_fetch(&fetches, life, MS10, true);
        assert_eq!(cache.get(failing, "Op", None).await.unwrap().expose(), "t1");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn absurd_lifetimes_mean_no_known_expiry() {
        for seconds in [u64::MAX, u64::MAX / 2, 10_000_000_000, 0] {
            let cache = Arc::new(TokenCache::default());
            let fetches = Arc::new(AtomicU32::new(0));
            let life = Some(Duration::from_secs(seconds));
            get(&cache, &fetches, life).await.unwrap();
            tokio::time::advance(Duration::from_secs(86_400 * 400)).await;
            assert_eq!(get(&cache, &fetches, life).await.unwrap().expose(), "t1");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                let fetches = fetches.clone();
                tokio::spawn(async move { get(&cache, &fetches, None).await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().expose(), "t1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_fetch_outlives_a_caller_that_gives_up() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let slow = || counting_fetch(&fetches, None, Duration::from_secs(3), false);
        let error = cache
            .get(slow, "Op", Some(Duration::from_secs(2)))
            .await
            .unwrap_err();
        assert!(matches!(
            error,
            Error::Timeout {
                operation: "Op",
                ..
            }
        ));
        // The next caller joins the same fetch instead of starting over.
        let slow = || counting_fetch(&fetches, None, Duration::from_secs(3), false);
        let token = cache.get(slow, "Op", Some(Duration::from_secs(2))).await;
        assert_eq!(token.unwrap().expose(), "t1");
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_is_shared_with_every_waiter_then_retried_after_a_backoff() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let cache = cache.clone();
                let fetches = fetches.clone();
                tokio::spawn(async move {
                    let fail = || counting_fetch(&fetches, None, Duration::from_secs(1), true);
                    cache.get(fail, "Op", None).await
                })
            })
            .collect();
        for task in tasks {
            let error = task.await.unwrap().unwrap_err();
            assert_eq!(
                error.to_string(),
                "invalid client configuration: fetch 1 failed"
            );
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert!(get(&cache, &fetches, None).await.is_err());
        tokio::time::advance(FAILURE_BACKOFF).await;
        assert_eq!(get(&cache, &fetches, None).await.unwrap().expose(), "t2");
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_only_drops_an_unconfirmed_current_token() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let t1 = get(&cache, &fetches, None).await.unwrap();
        assert_eq!(cache.refused(&t1), Refusal::Stale);
        let t2 = get(&cache, &fetches, None).await.unwrap();
        assert_eq!(t2.expose(), "t2");
        // A second caller still holding t1 must not throw away t2.
        assert_eq!(cache.refused(&t1), Refusal::Stale);
        assert_eq!(get(&cache, &fetches, None).await.unwrap().expose(), "t2");
        // A token that replaced a refused one and was refused too is kept: the call was refused,
        // not the token.
        cache.confirm(&t2);
        assert_eq!(cache.refused(&t2), Refusal::Confirmed);
        tokio::time::advance(TRUST_WINDOW).await;
        assert_eq!(cache.refused(&t2), Refusal::Stale);
    }
}
