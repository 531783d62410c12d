//! Client-side limits: requests per second and requests in flight.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::error::Error;

/// The slowest rate a client accepts: one request a day. Slower rates are almost certainly a
/// mistake (a rate per hour given as per second, say), and their intervals overflow the clock.
pub(crate) const MIN_RATE: f64 = 1.0 / 86_400.0;

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
    /// Limits with an optional rate (requests per second) and an optional in-flight cap;
    /// a rate that is not a finite number of at least [`MIN_RATE`], or a cap of zero, is refused.
    pub(crate) fn new(
        requests_per_second: Option<f64>,
        max_in_flight: Option<usize>,
    ) -> Result<Self, Error> {
        let pacer = match requests_per_second {
            None => None,
            Some(rate) if rate.is_finite() && rate >= MIN_RATE => {
                Some(Pacer::new(Duration::from_secs_f64(1.0 / rate)))
            }
            Some(rate) => {
                return Err(Error::config(format!(
                    "rate_limit must be a finite number of requests per second of at least {MIN_RATE:e} (one a day), not {rate}"
                )));
            }
        };
        let in_flight = match max_in_flight {
            None => None,
            Some(0) => {
                return Err(Error::config(
                    "max_in_flight must be at least 1; 0 would block every request",
                ));
            }
            Some(n) => Some(Arc::new(Semaphore::new(n.min(Semaphore::MAX_PERMITS)))),
        };
        Ok(Limits { pacer, in_flight })
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
/// This is a token bucket of depth one (GCRA without burst) that never needs a background task.
/// A caller claims the slot only at the moment it sends: it sleeps until the slot is free and
/// then checks again, so a caller that gives up while waiting (its deadline passed) leaves no
/// booked slot behind to delay everyone else.
#[derive(Debug)]
struct Pacer {
    interval: Duration,
    next_free: Mutex<Option<Instant>>,
}

impl Pacer {
    fn new(interval: Duration) -> Self {
        Pacer {
            interval,
            next_free: Mutex::new(None),
        }
    }

    async fn wait(&self) {
        loop {
            let free_at = {
                let mut next_free = self
                    .next_free
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                match *next_free {
                    Some(at) if at > now => at,
                    _ => {
                        // The interval is at most a day, so this cannot overflow in practice;
                        // if it did, the limit would simply not apply to the next request.
                        *next_free = now.checked_add(self.interval);
                        return;
                    }
                }
            };
            tokio::time::sleep_until(free_at).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn rate_limit_spaces_requests() {
        let limits = Limits::new(Some(4.0), None).unwrap();
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
        let limits = Arc::new(Limits::new(None, Some(1)).unwrap());
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

    #[tokio::test(start_paused = true)]
    async fn a_caller_that_gives_up_leaves_no_slot_booked() {
        let limits = Arc::new(Limits::new(Some(1.0), None).unwrap());
        let begin = Instant::now();
        let _first = limits.acquire().await;
        // Ten callers wait for the next slot together and give up after half a second.
        let waiters: Vec<_> = (0..10)
            .map(|_| {
                let limits = limits.clone();
                tokio::spawn(tokio::time::timeout(
                    Duration::from_millis(500),
                    async move {
                        limits.acquire().await;
                    },
                ))
            })
            .collect();
        for waiter in waiters {
            assert!(waiter.await.unwrap().is_err());
        }
        // The next caller is served one interval after the first, not ten intervals later.
        let _next = limits.acquire().await;
        assert_eq!(begin.elapsed(), Duration::from_secs(1));
    }

    #[test]
    fn nonsense_limits_are_refused() {
        for rate in [0.0, -1.0, 1e-19, 1e-30, f64::NAN, f64::INFINITY] {
            let error = Limits::new(Some(rate), None).unwrap_err();
            assert!(error.to_string().contains("rate_limit"), "{rate}: {error}");
        }
        assert!(Limits::new(Some(MIN_RATE), None).is_ok());
        assert!(Limits::new(Some(1e12), None).is_ok());
        let error = Limits::new(None, Some(0)).unwrap_err();
        assert!(error.to_string().contains("max_in_flight"));
    }

    #[tokio::test]
    async fn no_limits_do_not_wait() {
        let limits = Limits::default();
        let _a = limits.acquire().await;
        let _b = limits.acquire().await;
    }
}
