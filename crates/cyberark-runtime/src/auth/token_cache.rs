//! The cached bearer token, refreshed ahead of expiry, fetched by one caller at a time.

use std::future::Future;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::Error;
use crate::secret::Secret;

/// The longest margin by which a token is refreshed before it expires.
const MAX_MARGIN: Duration = Duration::from_secs(60);

/// A token and the moment it should be replaced.
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub(crate) token: Secret,
    /// `None` means "no known expiry": keep it until the tenant answers 401.
    pub(crate) refresh_at: Option<Instant>,
}

impl CachedToken {
    /// A token that lives for `lifetime` from now, or indefinitely when the lifetime is unknown.
    ///
    /// It is refreshed a margin ahead of expiry (a tenth of the lifetime, at most a minute) so
    /// that a request never leaves with a token that expires on the way.
    pub(crate) fn new(token: Secret, lifetime: Option<Duration>) -> Self {
        let refresh_at = lifetime.map(|lifetime| {
            let margin = (lifetime / 10).min(MAX_MARGIN);
            Instant::now() + (lifetime - margin)
        });
        CachedToken { token, refresh_at }
    }

    fn is_fresh(&self, now: Instant) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }
}

/// Holds the current token; a fetch happens under the lock, so concurrent callers that find the
/// token stale wait for one fetch instead of each starting their own (single flight).
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    slot: Mutex<Option<CachedToken>>,
}

impl TokenCache {
    /// Returns the cached token if it is fresh, otherwise fetches, stores and returns a new one.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<Secret, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<CachedToken, Error>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(cached) = slot.as_ref().filter(|c| c.is_fresh(Instant::now())) {
            return Ok(cached.token.clone());
        }
        let fresh = fetch().await?;
        let token = fresh.token.clone();
        *slot = Some(fresh);
        Ok(token)
    }

    /// Forgets `stale` after the tenant refused it. A token that another caller has already
    /// replaced is left alone, so many concurrent 401s cause one refresh, not many.
    pub(crate) async fn invalidate(&self, stale: &Secret) {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|c| &c.token == stale) {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn counting_fetch(
        counter: &Arc<AtomicU32>,
        lifetime: Option<Duration>,
    ) -> impl Future<Output = Result<CachedToken, Error>> + use<> {
        let counter = counter.clone();
        async move {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            Ok(CachedToken::new(Secret::new(format!("t{n}")), lifetime))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn refreshes_a_margin_before_expiry() {
        let cache = TokenCache::default();
        let fetches = Arc::new(AtomicU32::new(0));
        let life = Some(Duration::from_secs(900));
        let t = cache.get(|| counting_fetch(&fetches, life)).await.unwrap();
        assert_eq!(t.expose(), "t1");
        tokio::time::advance(Duration::from_secs(830)).await;
        let t = cache.get(|| counting_fetch(&fetches, life)).await.unwrap();
        assert_eq!(t.expose(), "t1");
        // 900 s minus the 60 s margin: at 840 s the token is replaced.
        tokio::time::advance(Duration::from_secs(11)).await;
        let t = cache.get(|| counting_fetch(&fetches, life)).await.unwrap();
        assert_eq!(t.expose(), "t2");
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                let fetches = fetches.clone();
                tokio::spawn(async move { cache.get(|| counting_fetch(&fetches, None)).await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().expose(), "t1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn invalidate_only_drops_the_stale_token() {
        let cache = TokenCache::default();
        let fetches = Arc::new(AtomicU32::new(0));
        let t1 = cache.get(|| counting_fetch(&fetches, None)).await.unwrap();
        cache.invalidate(&t1).await;
        let t2 = cache.get(|| counting_fetch(&fetches, None)).await.unwrap();
        assert_eq!(t2.expose(), "t2");
        // A second caller still holding t1 must not throw away t2.
        cache.invalidate(&t1).await;
        let again = cache.get(|| counting_fetch(&fetches, None)).await.unwrap();
        assert_eq!(again.expose(), "t2");
    }
}
