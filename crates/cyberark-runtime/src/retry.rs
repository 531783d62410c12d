//! When to resend a request, and how long to wait first.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use rand::RngExt;
use rand::rngs::StdRng;
use tokio::time::Instant;

/// How persistently the client resends a request the tenant could not handle.
///
/// A 429 is retried on every operation because the tenant did not process the request; 502, 503,
/// 504, timeouts and connection errors only on idempotent operations, because a non-idempotent
/// request (a create, an invite) may have been carried out before the failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total per call, the first and any resend after a 401 included; `1` means
    /// never retry.
    pub max_attempts: u32,
    /// The ceiling of the first backoff.
    pub initial_backoff: Duration,
    /// The largest ceiling any backoff may have.
    pub max_backoff: Duration,
    /// The longest time, from the start of the call, after which no new attempt is started;
    /// the time a call waits for a sign-in counts against it. A retry whose wait would end
    /// later is not made.
    pub total_budget: Duration,
    /// The longest `Retry-After` (on 429 or 503) the client honours; a longer request is
    /// shortened to this, so the client then retries earlier than the tenant asked.
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
    /// HTTP 502, 503 or 504, with the `Retry-After` delay if one was sent (RFC 9110 §10.2.3
    /// allows it on 503).
    Unavailable(Option<Duration>),
    /// The connection failed or the per-request timeout passed.
    Connection,
}

impl Outcome {
    /// The wait the server asked for, if it asked.
    fn retry_after(self) -> Option<Duration> {
        match self {
            Outcome::RateLimited(after) | Outcome::Unavailable(after) => after,
            Outcome::Connection => None,
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait this long, then send again.
    Retry(Duration),
    /// Stop and report the failure, for this reason.
    GiveUp(Reason),
}

/// Why the client stopped retrying; logged, so an early stop is explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The failure is not retried for this operation (a 5xx on a non-idempotent request).
    NotRetryable,
    /// `max_attempts` attempts were made.
    Attempts,
    /// The wait would end after the retry policy's `total_budget`.
    Budget,
    /// The wait would end after the call's deadline.
    Deadline,
    /// The client-wide retry quota is spent: the tenant has been failing for many calls.
    Quota,
}

/// The retry bookkeeping of one call: attempts made, time spent, the deadline, and the jitter
/// source. One state covers the whole call, token fetch and resend after a 401 included, so
/// a call never gets more than one budget.
///
/// It decides only; the caller sleeps. That keeps the schedule testable without a network and,
/// with a seeded RNG, without randomness.
#[derive(Debug)]
pub(crate) struct RetryState {
    policy: RetryPolicy,
    attempts: u32,
    /// The call's overall deadline, counted from its start.
    deadline: Option<Duration>,
    started: Instant,
    quota: Option<Arc<RetryQuota>>,
    /// What the retries of this call took from the quota, returned when the call succeeds.
    borrowed: u32,
    rng: StdRng,
}

impl RetryState {
    /// Bookkeeping for one call starting now, with jitter seeded from the operating system.
    pub(crate) fn new(
        policy: &RetryPolicy,
        deadline: Option<Duration>,
        quota: Option<Arc<RetryQuota>>,
    ) -> Self {
        Self::with_rng(policy, deadline, quota, rand::make_rng())
    }

    /// Bookkeeping with a given RNG, for reproducible schedules in tests.
    pub(crate) fn with_rng(
        policy: &RetryPolicy,
        deadline: Option<Duration>,
        quota: Option<Arc<RetryQuota>>,
        rng: StdRng,
    ) -> Self {
        RetryState {
            policy: policy.clone(),
            attempts: 0,
            deadline,
            started: Instant::now(),
            quota,
            borrowed: 0,
            rng,
        }
    }

    /// A seeded state without deadline or quota, for tests.
    #[cfg(test)]
    pub(crate) fn seeded(policy: &RetryPolicy, seed: u64) -> Self {
        Self::with_rng(policy, None, None, rand::SeedableRng::seed_from_u64(seed))
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

    /// The time since the call started.
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// How long the call may still wait for something (a token, say) before its retry budget
    /// or its deadline is spent.
    pub(crate) fn remaining(&self) -> Duration {
        let limit = match self.deadline {
            Some(deadline) => deadline.min(self.policy.total_budget),
            None => self.policy.total_budget,
        };
        limit.saturating_sub(self.elapsed())
    }

    /// How long until the call's deadline, if it has one.
    pub(crate) fn deadline_remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|deadline| deadline.saturating_sub(self.elapsed()))
    }

    /// Records that the call got an answer it will not retry, returning the quota its retries
    /// borrowed (or a little credit when it needed none), as the AWS SDKs do.
    pub(crate) fn succeeded(&mut self) {
        if let Some(quota) = &self.quota {
            quota.release(if self.borrowed == 0 {
                NO_RETRY_CREDIT
            } else {
                self.borrowed
            });
        }
        self.borrowed = 0;
    }

    /// Decides what follows a failed attempt of an operation that is `idempotent` or not;
    /// `elapsed` is the time since the call began.
    pub(crate) fn decide(
        &mut self,
        outcome: Outcome,
        idempotent: bool,
        elapsed: Duration,
    ) -> Decision {
        let retryable = match outcome {
            Outcome::RateLimited(_) => true,
            Outcome::Unavailable(_) | Outcome::Connection => idempotent,
        };
        if !retryable {
            return Decision::GiveUp(Reason::NotRetryable);
        }
        if self.attempts >= self.policy.max_attempts {
            return Decision::GiveUp(Reason::Attempts);
        }
        let delay = match outcome.retry_after() {
            Some(after) => after.min(self.policy.max_retry_after),
            None => self
                .policy
                .backoff_with(self.attempts.saturating_sub(1), &mut self.rng),
        };
        let resume = elapsed.saturating_add(delay);
        // A retry that could only start after the deadline or the budget is spent would be
        // wasted waiting: give up now and say so.
        if self.deadline.is_some_and(|deadline| resume >= deadline) {
            return Decision::GiveUp(Reason::Deadline);
        }
        if resume > self.policy.total_budget {
            return Decision::GiveUp(Reason::Budget);
        }
        if let Some(quota) = &self.quota {
            let cost = match outcome {
                Outcome::Connection => TIMEOUT_RETRY_COST,
                _ => RETRY_COST,
            };
            if !quota.try_acquire(cost) {
                return Decision::GiveUp(Reason::Quota);
            }
            self.borrowed = self.borrowed.saturating_add(cost);
        }
        Decision::Retry(delay)
    }
}

/// What one retry takes from the client's [`RetryQuota`].
const RETRY_COST: u32 = 5;
/// What a retry after a timeout or connection failure takes: these cost the tenant most.
const TIMEOUT_RETRY_COST: u32 = 10;
/// What a call that succeeded without retrying gives back.
const NO_RETRY_CREDIT: u32 = 1;
/// The quota a client starts with: 100 retries of 503 or 429, 50 after timeouts.
pub(crate) const DEFAULT_RETRY_QUOTA: u32 = 500;

/// A retry budget shared by every call of one client: a token bucket, as in the AWS SDKs'
/// "standard" retry mode.
///
/// Each retry takes [`RETRY_COST`] (or [`TIMEOUT_RETRY_COST`]) from the bucket; a call that
/// succeeds gives back what its retries took, or [`NO_RETRY_CREDIT`] if it needed none. While a
/// tenant fails for every call, the bucket empties and calls fail after their first attempt, so
/// a client does not multiply the traffic of an outage; as calls succeed again, it refills.
#[derive(Debug)]
pub(crate) struct RetryQuota {
    capacity: u32,
    available: Mutex<u32>,
}

impl RetryQuota {
    /// A full bucket of `capacity`.
    pub(crate) fn new(capacity: u32) -> Self {
        RetryQuota {
            capacity,
            available: Mutex::new(capacity),
        }
    }

    /// Takes `cost` if that much is left.
    fn try_acquire(&self, cost: u32) -> bool {
        let mut available = self
            .available
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if *available < cost {
            return false;
        }
        *available -= cost;
        true
    }

    /// Puts `amount` back, up to the capacity.
    fn release(&self, amount: u32) {
        let mut available = self
            .available
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *available = available.saturating_add(amount).min(self.capacity);
    }

    /// What is left, for tests.
    #[cfg(test)]
    pub(crate) fn available(&self) -> u32 {
        *self.available.lock().unwrap()
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
        let mut state = RetryState::seeded(&policy, 1);
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::RateLimited(Some(Duration::from_secs(2))),
                false,
                Duration::ZERO
            ),
            Decision::Retry(Duration::from_secs(2))
        );
        state.start_attempt();
        assert_eq!(
            state.decide(Outcome::Unavailable(None), false, Duration::from_secs(2)),
            Decision::GiveUp(Reason::NotRetryable)
        );
    }

    #[test]
    fn idempotent_operations_retry_unavailable_and_connection_errors() {
        let policy = RetryPolicy::default();
        let mut state = RetryState::seeded(&policy, 1);
        for outcome in [
            Outcome::Unavailable(None),
            Outcome::Connection,
            Outcome::Unavailable(None),
        ] {
            state.start_attempt();
            let ceiling = policy.backoff_ceiling(state.attempts() - 1);
            match state.decide(outcome, true, Duration::ZERO) {
                Decision::Retry(delay) => assert!(delay <= ceiling),
                Decision::GiveUp(reason) => panic!("gave up too early: {reason:?}"),
            }
        }
        state.start_attempt();
        assert_eq!(
            state.decide(Outcome::Unavailable(None), true, Duration::ZERO),
            Decision::GiveUp(Reason::Attempts)
        );
        assert_eq!(state.attempts(), 4);
    }

    #[test]
    fn retry_after_is_capped() {
        let policy = RetryPolicy {
            max_retry_after: Duration::from_secs(5),
            ..RetryPolicy::default()
        };
        let mut state = RetryState::seeded(&policy, 1);
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::RateLimited(Some(Duration::from_secs(3600))),
                false,
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
        let mut state = RetryState::seeded(&policy, 1);
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::RateLimited(Some(Duration::from_secs(4))),
                false,
                Duration::from_secs(5)
            ),
            Decision::Retry(Duration::from_secs(4))
        );
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::RateLimited(Some(Duration::from_secs(4))),
                false,
                Duration::from_secs(9)
            ),
            Decision::GiveUp(Reason::Budget)
        );
    }

    #[test]
    fn none_never_retries() {
        let mut state = RetryState::seeded(&RetryPolicy::none(), 1);
        state.start_attempt();
        assert_eq!(
            state.decide(Outcome::RateLimited(None), true, Duration::ZERO),
            Decision::GiveUp(Reason::Attempts)
        );
    }

    #[test]
    fn retry_after_on_503_is_honoured_and_capped() {
        let policy = RetryPolicy {
            max_retry_after: Duration::from_secs(30),
            total_budget: Duration::from_secs(300),
            ..RetryPolicy::default()
        };
        let mut state = RetryState::seeded(&policy, 1);
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::Unavailable(Some(Duration::from_secs(7))),
                true,
                Duration::ZERO
            ),
            Decision::Retry(Duration::from_secs(7))
        );
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::Unavailable(Some(Duration::from_secs(120))),
                true,
                Duration::ZERO
            ),
            Decision::Retry(Duration::from_secs(30))
        );
    }

    #[test]
    fn a_wait_past_the_deadline_gives_up_at_once() {
        let policy = RetryPolicy::default();
        let mut state = RetryState::with_rng(&policy, Some(Duration::from_secs(5)), None, rng());
        state.start_attempt();
        assert_eq!(
            state.decide(
                Outcome::RateLimited(Some(Duration::from_secs(30))),
                false,
                Duration::ZERO
            ),
            Decision::GiveUp(Reason::Deadline)
        );
        assert_eq!(
            state.decide(
                Outcome::RateLimited(Some(Duration::from_secs(3))),
                false,
                Duration::from_secs(1)
            ),
            Decision::Retry(Duration::from_secs(3))
        );
    }

    fn rng() -> StdRng {
        StdRng::seed_from_u64(3)
    }

    #[test]
    fn the_quota_runs_dry_under_sustained_failure_and_refills_on_success() {
        let quota = Arc::new(RetryQuota::new(20));
        let policy = RetryPolicy::default();
        let mut retries = 0;
        for _ in 0..10 {
            let mut state = RetryState::with_rng(&policy, None, Some(quota.clone()), rng());
            state.start_attempt();
            if let Decision::Retry(_) =
                state.decide(Outcome::Unavailable(None), true, Duration::ZERO)
            {
                retries += 1;
            }
        }
        // 20 / 5 per retry: four retries, then calls fail after their first attempt.
        assert_eq!(retries, 4);
        assert_eq!(quota.available(), 0);
        let mut state = RetryState::with_rng(&policy, None, Some(quota.clone()), rng());
        state.start_attempt();
        state.succeeded();
        assert_eq!(quota.available(), 1);
        // A timeout costs more than the single credit left.
        let mut state = RetryState::with_rng(&policy, None, Some(quota.clone()), rng());
        state.start_attempt();
        assert_eq!(
            state.decide(Outcome::Connection, true, Duration::ZERO),
            Decision::GiveUp(Reason::Quota)
        );
    }

    #[test]
    fn a_retried_call_that_succeeds_returns_what_it_borrowed() {
        let quota = Arc::new(RetryQuota::new(100));
        let mut state =
            RetryState::with_rng(&RetryPolicy::default(), None, Some(quota.clone()), rng());
        state.start_attempt();
        state.decide(Outcome::Connection, true, Duration::ZERO);
        state.start_attempt();
        state.decide(Outcome::RateLimited(None), true, Duration::ZERO);
        assert_eq!(quota.available(), 85);
        state.succeeded();
        assert_eq!(quota.available(), 100);
    }
}
