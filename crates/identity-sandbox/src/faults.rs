//! Fault injection: make the next requests of an operation fail, stall or misbehave.
//!
//! Faults are keyed by operationId (`Org_Create`), queued in the order they were injected, and
//! consumed one per request. Holds park the next request of an operation until released, so a
//! test can observe what a client does while a call is in flight.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

mod hostile;

pub use hostile::Hostile;

/// One way a request can go wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status (500, 502, 503, ...) and a short `text/plain` body, without
    /// processing the request.
    Status(u16),
    /// Answer 429 Too Many Requests, optionally with `Retry-After`, without processing the request.
    RateLimited(RetryAfter),
    /// Wait this long, then process the request normally.
    Delay(Duration),
    /// Close the connection without answering and without processing the request.
    DropConnection,
    /// Process the request, then send only half of the body announced by `Content-Length` and
    /// close the connection.
    TruncatedBody,
    /// Process the request, then answer 200 with a body that is not valid JSON.
    MalformedJson,
    /// Answer with this status and JSON body (and `Retry-After: <seconds>` if given) without
    /// processing the request: a page that contradicts its total, a 503 asking for a wait.
    Answer {
        /// The HTTP status.
        status: u16,
        /// The JSON body, sent as is.
        body: String,
        /// The `Retry-After` seconds, if any.
        retry_after: Option<u64>,
    },
    /// Answer, without processing the request, with a hostile answer: deep nesting, a huge or
    /// slow body, a wrong content type, invalid UTF-8, duplicate keys, an out-of-range number,
    /// HTML, or a redirect.
    Hostile(Hostile),
}

/// The `Retry-After` header of a [`Fault::RateLimited`] answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    /// No `Retry-After` header.
    None,
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP-date>`.
    HttpDate(SystemTime),
}

/// The injected faults and holds of one sandbox.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<FaultTable>,
    next_hold: AtomicU64,
}

#[derive(Debug, Default)]
struct FaultTable {
    faults: HashMap<String, VecDeque<(Fault, usize)>>,
    holds: HashMap<String, VecDeque<Arc<HoldState>>>,
    holds_by_id: HashMap<u64, Arc<HoldState>>,
}

/// Shared state of one hold: whether a request arrived and whether it was released.
#[derive(Debug)]
pub(crate) struct HoldState {
    arrived: watch::Sender<bool>,
    released: watch::Sender<bool>,
}

impl HoldState {
    fn new() -> Self {
        Self {
            arrived: watch::channel(false).0,
            released: watch::channel(false).0,
        }
    }

    /// Called by the request that got caught: signals arrival, then waits for the release.
    pub(crate) async fn park(&self) {
        self.arrived.send_replace(true);
        let mut released = self.released.subscribe();
        // An error means the sender is gone, which cannot happen while `self` lives; either way
        // the request goes on.
        let _ = released.wait_for(|r| *r).await;
    }
}

/// A hold on the next request of one operation, created by [`Faults::hold`].
#[derive(Debug, Clone)]
pub struct Hold {
    state: Arc<HoldState>,
    id: u64,
}

impl Hold {
    /// Lets the held request (or, if none arrived yet, the next one) go on.
    pub fn release(&self) {
        self.state.released.send_replace(true);
    }

    /// Resolves once a request is parked on this hold.
    pub async fn arrived(&self) {
        let mut arrived = self.state.arrived.subscribe();
        let _ = arrived.wait_for(|a| *a).await;
    }

    /// The id the HTTP admin API uses for this hold.
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl Faults {
    /// Makes the next `times` requests of `operation` (an operationId such as `Org_Create`)
    /// fail with `fault`. Faults injected earlier for the same operation are used up first.
    pub fn inject(&self, operation: &str, fault: Fault, times: usize) {
        if times == 0 {
            return;
        }
        let mut table = lock(&self.inner);
        table
            .faults
            .entry(operation.to_owned())
            .or_default()
            .push_back((fault, times));
    }

    /// Parks the next request of `operation` until [`Hold::release`] is called.
    pub fn hold(&self, operation: &str) -> Hold {
        let state = Arc::new(HoldState::new());
        let id = self.next_hold.fetch_add(1, Ordering::Relaxed) + 1;
        let mut table = lock(&self.inner);
        table
            .holds
            .entry(operation.to_owned())
            .or_default()
            .push_back(state.clone());
        table.holds_by_id.insert(id, state.clone());
        Hold { state, id }
    }

    /// Removes every injected fault and releases every hold.
    pub fn clear(&self) {
        let mut table = lock(&self.inner);
        table.faults.clear();
        table.holds.clear();
        for (_, hold) in table.holds_by_id.drain() {
            hold.released.send_replace(true);
        }
    }

    /// Releases the hold with this id (HTTP admin API); false when no such hold exists.
    pub(crate) fn release_id(&self, id: u64) -> bool {
        let table = lock(&self.inner);
        match table.holds_by_id.get(&id) {
            Some(hold) => {
                hold.released.send_replace(true);
                true
            }
            None => false,
        }
    }

    /// Whether the hold with this id has a parked request and whether it was released.
    pub(crate) fn hold_status(&self, id: u64) -> Option<(bool, bool)> {
        let table = lock(&self.inner);
        let hold = table.holds_by_id.get(&id)?;
        Some((*hold.arrived.borrow(), *hold.released.borrow()))
    }

    /// Takes the pending hold of an operation, if any.
    pub(crate) fn take_hold(&self, operation: &str) -> Option<Arc<HoldState>> {
        let mut table = lock(&self.inner);
        let queue = table.holds.get_mut(operation)?;
        let hold = queue.pop_front();
        if queue.is_empty() {
            table.holds.remove(operation);
        }
        hold
    }

    /// Consumes one use of the first fault queued for an operation.
    pub(crate) fn take(&self, operation: &str) -> Option<Fault> {
        let mut table = lock(&self.inner);
        let queue = table.faults.get_mut(operation)?;
        let (fault, left) = queue.front_mut()?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            queue.pop_front();
        }
        if queue.is_empty() {
            table.faults.remove(operation);
        }
        Some(fault)
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it: the tables stay
/// consistent because every critical section is a few infallible collection operations.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_consumed_in_order() {
        let f = Faults::default();
        f.inject("Op", Fault::Status(500), 2);
        f.inject("Op", Fault::DropConnection, 1);
        assert_eq!(f.take("Op"), Some(Fault::Status(500)));
        assert_eq!(f.take("Op"), Some(Fault::Status(500)));
        assert_eq!(f.take("Op"), Some(Fault::DropConnection));
        assert_eq!(f.take("Op"), None);
    }

    #[tokio::test]
    async fn hold_release() {
        let f = Faults::default();
        let hold = f.hold("Op");
        let state = f.take_hold("Op").expect("hold queued");
        let parked = tokio::spawn(async move { state.park().await });
        hold.arrived().await;
        hold.release();
        parked.await.expect("parked task ends");
    }
}
