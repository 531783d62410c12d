//! Forwards the client's `tracing` events to Python's `logging` module.
//!
//! Events of the runtime go to the logger `cyberark_identity`, those of the sandbox to
//! `cyberark_identity.sandbox`, each at the matching level, with the fields of the enclosing
//! spans (the operation, the attempt) in the message. The runtime never puts a secret in an
//! event, so nothing needs redacting here.
//!
//! Most programs leave these loggers disabled, and asking Python costs the GIL, which a busy
//! program's other threads hold. So the bridge keeps each logger's effective level on the Rust
//! side and drops an event below it without touching Python. The levels are read again whenever
//! `logging` clears its own cache of them (`Logger.setLevel`, `logging.disable`,
//! `logging.config`), through a hook on `logging.Logger.manager._clear_cache`; an event at or
//! above the level still goes through `Logger.isEnabledFor`, so the cache can only skip records
//! Python would skip too.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Installs the bridge as the process's tracing subscriber, once; a host application that set
/// its own subscriber first keeps it. Also hooks `logging` so the cached levels follow its
/// configuration.
pub fn install() {
    let subscriber = tracing_subscriber::registry().with(PythonLogging);
    let _ = tracing::subscriber::set_global_default(subscriber);
    Python::attach(|py| {
        if hook_clear_cache(py).is_err() {
            // Without the hook a cached level could go stale: ask Python about every event.
            forget_levels();
        }
    });
}

/// The Python loggers events go to.
const LOGGERS: [&str; 2] = ["cyberark_identity", "cyberark_identity.sandbox"];

/// Per logger of [`LOGGERS`], the lowest level it lets through as of the last configuration
/// change; 0 lets everything through to Python's own check.
static THRESHOLDS: [AtomicI64; 2] = [AtomicI64::new(0), AtomicI64::new(0)];

/// Reads every logger's effective level (and `logging.disable`'s) into [`THRESHOLDS`].
fn refresh_levels(py: Python<'_>) {
    let read = |name: &str| -> PyResult<i64> {
        let logging = py.import("logging")?;
        let level: i64 = logging
            .call_method1("getLogger", (name,))?
            .call_method0("getEffectiveLevel")?
            .extract()?;
        let disabled: i64 = logging
            .getattr("root")?
            .getattr("manager")?
            .getattr("disable")?
            .extract()?;
        Ok(level.max(disabled.saturating_add(1)))
    };
    for (name, threshold) in LOGGERS.iter().zip(&THRESHOLDS) {
        threshold.store(read(name).unwrap_or(0), Ordering::Relaxed);
    }
}

fn forget_levels() {
    for threshold in &THRESHOLDS {
        threshold.store(0, Ordering::Relaxed);
    }
}

/// Wraps `logging.Logger.manager._clear_cache`, which `logging` calls whenever a level
/// changes, so that [`refresh_levels`] runs after it.
fn hook_clear_cache(py: Python<'_>) -> PyResult<()> {
    let manager = py
        .import("logging")?
        .getattr("Logger")?
        .getattr("manager")?;
    let original = manager.getattr("_clear_cache")?;
    if original.is_instance_of::<ClearCacheHook>() {
        refresh_levels(py);
        return Ok(());
    }
    manager.setattr(
        "_clear_cache",
        ClearCacheHook {
            original: original.unbind(),
        },
    )?;
    refresh_levels(py);
    Ok(())
}

/// `logging`'s own `Manager._clear_cache`, followed by a refresh of the cached levels.
#[pyclass(frozen, module = "cyberark_identity._native")]
struct ClearCacheHook {
    original: Py<PyAny>,
}

#[pymethods]
impl ClearCacheHook {
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let result = self.original.call(py, args.clone(), kwargs)?;
        refresh_levels(py);
        Ok(result)
    }
}

/// The index in [`LOGGERS`] of the logger of a tracing target, or `None` for targets that are
/// not ours.
fn logger_index(target: &str) -> Option<usize> {
    if target.starts_with("cyberark_runtime") || target.starts_with("cyberark_identity") {
        Some(0)
    } else if target.starts_with("identity_sandbox") {
        Some(1)
    } else {
        None
    }
}

/// The `logging` level number of a tracing level.
fn level_number(level: &Level) -> i64 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        // logging has no TRACE; DEBUG is the closest.
        Level::DEBUG | Level::TRACE => 10,
    }
}

struct PythonLogging;

/// The formatted fields of a span, stored in its extensions when it opens.
struct SpanFields(String);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for PythonLogging {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if logger_index(attrs.metadata().target()).is_none() {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields.rest));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let metadata = event.metadata();
        let Some(index) = logger_index(metadata.target()) else {
            return;
        };
        let level = level_number(metadata.level());
        if level < THRESHOLDS[index].load(Ordering::Relaxed) {
            return;
        }
        let logger = LOGGERS[index];
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut line = String::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                let _ = write!(line, "{}", span.name());
                let extensions = span.extensions();
                if let Some(SpanFields(f)) = extensions.get::<SpanFields>()
                    && !f.is_empty()
                {
                    let _ = write!(line, "{{{}}}", f.trim_start());
                }
                line.push_str(": ");
            }
        }
        line.push_str(&fields.message);
        line.push_str(&fields.rest);
        // Once the interpreter starts to exit, attaching a runtime thread to it can crash the
        // process, and `logging` may be half torn down: the record is dropped. `attach` is the
        // gate every runtime thread enters Python through (see `crate::lifecycle`).
        let _ = crate::lifecycle::attach(|py| -> PyResult<()> {
            let logger = py.import("logging")?.call_method1("getLogger", (logger,))?;
            if logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
                logger.call_method1("log", (level, "%s", line))?;
            }
            Ok(())
        });
    }
}

/// Collects an event's `message` and its other fields as ` key=value`.
#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.rest, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.rest, " {}={value}", field.name());
        }
    }
}
