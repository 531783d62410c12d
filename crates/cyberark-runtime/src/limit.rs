//! Client-side limits: requests per second and requests in flight.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The limits one client applies to every attempt it sends, token requests included.
///
/// The rate limit is a hand-written pacer rather than a crate such as `governor` because it must
/// run on tokio's clock: tests pause that clock, and a limiter on the system clock would make
/// them slow and flaky.
#[derive(Debug, Default)]
pub(crate) struct Limits {
    pacer: Option<Pacer>,
    in_flight: Option<Arc<Semaphore>>,
}

/// Held while a request is in flight; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct Permit {
    _slot: Option<OwnedSemaphorePermit>,
}

impl Limits {
    /// Limits with an optional rate (requests per second) and an optional in-flight cap.
    pub(crate) fn new(requests_per_second: Option<f64>, max_in_flight: Option<usize>) -> Self {
        Limits {
            pacer: requests_per_second.map(Pacer::new),
            in_flight: max_in_flight.map(|n| Arc::new(Semaphore::new(n.max(1)))),
        }
    }

    /// Waits for a free slot and the next send time, then returns a permit to hold while sending.
    pub(crate) async fn acquire(&self) -> Permit {
        // The in-flight slot comes first so that requests waiting for a slot do not use up rate.
        let slot = match &self.in_flight {
            // The semaphore is never closed, so acquiring cannot fail.
            Some(semaphore) => semaphore.clone().acquire_owned().await.ok(),
            None => None,
        };
        if let Some(pacer) = &self.pacer {
            pacer.wait().await;
        }
        Permit { _slot: slot }
    }
}

/// Spaces requests evenly: each one may start `interval` after the previous one.
///
/// This is a token bucket of depth one (GCRA without burst): simple, fair to waiting callers
/// (they are served in the order they reserved), and it never needs a background task.
#[derive(Debug)]
struct Pacer {
    interval: Duration,
    next_free: Mutex<Option<Instant>>,
}

impl Pacer {
    fn new(requests_per_second: f64) -> Self {
        // Non-positive or non-finite rates mean "no useful limit"; clamp to something sane.
        let rate = if requests_per_second.is_finite() && requests_per_second > 0.0 {
            requests_per_second
        } else {
            f64::MAX
        };
        Pacer {
            interval: Duration::try_from_secs_f64(1.0 / rate).unwrap_or(Duration::ZERO),
            next_free: Mutex::new(None),
        }
    }

    async fn wait(&self) {
        let start = {
            let mut next_free = self.next_free.lock().await;
            let now = Instant::now();
            let start = next_free.map_or(now, |t| t.max(now));
            *next_free = Some(start + self.interval);
            start
        };
        tokio::time::sleep_until(start).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn rate_limit_spaces_requests() {
        let limits = Limits::new(Some(4.0), None);
        let begin = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..5 {
            let _permit = limits.acquire().await;
            starts.push(begin.elapsed().as_millis());
        }
        assert_eq!(starts, [0, 250, 500, 750, 1000]);
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_cap_blocks_until_a_permit_is_dropped() {
        let limits = Arc::new(Limits::new(None, Some(1)));
        let first = limits.acquire().await;
        let waiter = {
            let limits = limits.clone();
            tokio::spawn(async move {
                let _second = limits.acquire().await;
            })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiter.is_finished());
        drop(first);
        waiter.await.unwrap();
    }

    #[tokio::test]
    async fn no_limits_do_not_wait() {
        let limits = Limits::default();
        let _a = limits.acquire().await;
        let _b = limits.acquire().await;
    }
}
