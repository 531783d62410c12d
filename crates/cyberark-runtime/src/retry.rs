//! When to resend a request, and how long to wait first.

use std::time::{Duration, SystemTime};

use rand::RngExt;
use rand::rngs::StdRng;

/// How persistently the client resends a request the tenant could not handle.
///
/// A 429 is retried on every operation because the tenant did not process the request; 502, 503,
/// 504, timeouts and connection errors only on idempotent operations, because a non-idempotent
/// request (a create, an invite) may have been carried out before the failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included; `1` means never retry.
    pub max_attempts: u32,
    /// The ceiling of the first backoff.
    pub initial_backoff: Duration,
    /// The largest ceiling any backoff may have.
    pub max_backoff: Duration,
    /// The longest time, from the first attempt, after which no new attempt is started.
    pub total_budget: Duration,
    /// The longest `Retry-After` the client honours; longer requests are shortened to this.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts, backoff from 200 ms up to 10 s, at most 60 s in total and 60 s per
    /// `Retry-After`.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            total_budget: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The full-jitter delay before retry number `attempt + 1`: a random duration in
    /// `[0, min(max_backoff, initial_backoff * 2^attempt)]`, so `backoff(0)` is at most
    /// `initial_backoff`.
    ///
    /// Full jitter spreads the retries of many clients hit by the same outage, instead of
    /// having them return in lock-step.
    pub fn backoff(&self, attempt: u32) -> Duration {
        self.backoff_with(attempt, &mut rand::rng())
    }

    /// The ceiling of [`backoff`](Self::backoff) for `attempt`.
    pub fn backoff_ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    fn backoff_with(&self, attempt: u32, rng: &mut impl rand::Rng) -> Duration {
        let ceiling = self.backoff_ceiling(attempt);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rng.random_range(0..=nanos))
    }
}

/// Parses a `Retry-After` header: delay seconds, or an HTTP-date (a date in the past means now).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// What happened on one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// HTTP 429, with the `Retry-After` delay if one was sent.
    RateLimited(Option<Duration>),
    /// HTTP 502, 503 or 504.
    Unavailable,
    /// The connection failed or the per-request timeout passed.
    Connection,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait this long, then send again.
    Retry(Duration),
    /// Stop and report the failure.
    GiveUp,
}

/// The retry bookkeeping of one call: attempts made, time spent, and the jitter source.
///
/// It decides only; the caller sleeps. That keeps the schedule testable without a network and,
/// with a seeded RNG, without randomness.
#[derive(Debug)]
pub(crate) struct RetryState {
    policy: RetryPolicy,
    idempotent: bool,
    attempts: u32,
    spent: Duration,
    rng: StdRng,
}

impl RetryState {
    /// Bookkeeping for one call, with jitter seeded from the operating system.
    pub(crate) fn new(policy: &RetryPolicy, idempotent: bool) -> Self {
        Self::with_rng(policy, idempotent, rand::make_rng())
    }

    /// Bookkeeping with a given RNG, for reproducible schedules in tests.
    pub(crate) fn with_rng(policy: &RetryPolicy, idempotent: bool, rng: StdRng) -> Self {
        RetryState {
            policy: policy.clone(),
            idempotent,
            attempts: 0,
            spent: Duration::ZERO,
            rng,
        }
    }

    /// A seeded state, for tests.
    #[cfg(test)]
    pub(crate) fn seeded(policy: &RetryPolicy, idempotent: bool, seed: u64) -> Self {
        Self::with_rng(policy, idempotent, rand::SeedableRng::seed_from_u64(seed))
    }

    /// Records that an attempt is starting; returns its number, from 1.
    pub(crate) fn start_attempt(&mut self) -> u32 {
        self.attempts += 1;
        self.attempts
    }

    /// Attempts started so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Decides what follows a failed attempt; `elapsed` is the time since the first attempt began.
    pub(crate) fn decide(&mut self, outcome: Outcome, elapsed: Duration) -> Decision {
        self.spent = elapsed;
        let retryable = match outcome {
            Outcome::RateLimited(_) => true,
            Outcome::Unavailable | Outcome::Connection => self.idempotent,
        };
        if !retryable || self.attempts >= self.policy.max_attempts {
            return Decision::GiveUp;
        }
        let delay = match outcome {
            Outcome::RateLimited(Some(after)) => after.min(self.policy.max_retry_after),
            _ => self
                .policy
                .backoff_with(self.attempts.saturating_sub(1), &mut self.rng),
        };
        // A retry that could only start after the budget is spent would be wasted waiting.
        if self.spent.saturating_add(delay) > self.policy.total_budget {
            return Decision::GiveUp;
        }
        Decision::Retry(delay)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        // 1_445_412_480 is Wed, 21 Oct 2015 07:28:00 GMT.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn backoff_ceiling_doubles_up_to_the_maximum() {
        let policy = RetryPolicy::default();
        let ceilings: Vec<u128> = (0..10)
            .map(|n| policy.backoff_ceiling(n).as_millis())
            .collect();
        assert_eq!(
            ceilings,
            [
                200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000, 10_000
            ]
        );
        assert_eq!(policy.backoff_ceiling(u32::MAX), policy.max_backoff);
    }

    #[test]
    fn backoff_stays_within_jitter_bounds_and_varies() {
        let policy = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(7);
        for attempt in 0..8 {
            let samples: Vec<Duration> = (0..200)
                .map(|_| policy.backoff_with(attempt, &mut rng))
                .collect();
            let ceiling = policy.backoff_ceiling(attempt);
            assert!(samples.iter().all(|d| *d <= ceiling));
            // Full jitter: the samples spread over the whole range, not bunched at the top.
            assert!(samples.iter().any(|d| *d < ceiling / 4));
            assert!(samples.iter().any(|d| *d > ceiling / 2));
        }
        assert!(RetryPolicy::default().backoff(3) <= Duration::from_millis(1600));
    }

    #[test]
    fn rate_limits_are_retried_on_every_operation() {
        let policy = RetryPolicy::default();
        let mut state = RetryState::seeded(&policy, false, 1);
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::RateLimited(Some(Duration::from_secs(2))),
                Duration::ZERO
            ),
            Decision::Retry(Duration::from_secs(2))
        );
        state.start_attempt();
        assert_eq!(
            state.decide(Outcome::Unavailable, Duration::from_secs(2)),
            Decision::GiveUp
        );
    }

    #[test]
    fn idempotent_operations_retry_unavailable_and_connection_errors() {
        let policy = RetryPolicy::default();
        let mut state = RetryState::seeded(&policy, true, 1);
        for outcome in [
            Outcome::Unavailable,
            Outcome::Connection,
            Outcome::Unavailable,
        ] {
            state.start_attempt();
            let ceiling = policy.backoff_ceiling(state.attempts() - 1);
            match state.decide(outcome, Duration::ZERO) {
                Decision::Retry(delay) => assert!(delay <= ceiling),
                Decision::GiveUp => panic!("gave up too early"),
            }
        }
        state.start_attempt();
        assert_eq!(
            state.decide(Outcome::Unavailable, Duration::ZERO),
            Decision::GiveUp
        );
        assert_eq!(state.attempts(), 4);
    }

    #[test]
    fn retry_after_is_capped() {
        let policy = RetryPolicy {
            max_retry_after: Duration::from_secs(5),
            ..RetryPolicy::default()
        };
        let mut state = RetryState::seeded(&policy, true, 1);
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::RateLimited(Some(Duration::from_secs(3600))),
                Duration::ZERO
            ),
            Decision::Retry(Duration::from_secs(5))
        );
    }

    #[test]
    fn total_budget_is_respected() {
        let policy = RetryPolicy {
            max_attempts: 10,
            total_budget: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        let mut state = RetryState::seeded(&policy, true, 1);
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::RateLimited(Some(Duration::from_secs(4))),
                Duration::from_secs(5)
            ),
            Decision::Retry(Duration::from_secs(4))
        );
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::RateLimited(Some(Duration::from_secs(4))),
                Duration::from_secs(9)
            ),
            Decision::GiveUp
        );
    }

    #[test]
    fn none_never_retries() {
        let mut state = RetryState::seeded(&RetryPolicy::none(), true, 1);
        state.start_attempt();
        assert_eq!(
            state.decide(Outcome::RateLimited(None), Duration::ZERO),
            Decision::GiveUp
        );
    }
}
