//! Forwards the client's `tracing` events to Python's `logging` module.
//!
//! Events of the runtime go to the logger `cyberark_identity`, those of the sandbox to
//! `cyberark_identity.sandbox`, each at the matching level, with the fields of the enclosing
//! spans (the operation, the attempt) in the message. The runtime never puts a secret in an
//! event, so nothing needs redacting here.

use std::fmt::Write as _;

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Installs the bridge as the process's tracing subscriber, once; a host application that set
/// its own subscriber first keeps it.
pub fn install() {
    let subscriber = tracing_subscriber::registry().with(PythonLogging);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// The Python logger of a tracing target, or `None` for targets that are not ours.
fn logger_name(target: &str) -> Option<&'static str> {
    if target.starts_with("cyberark_runtime") || target.starts_with("cyberark_identity") {
        Some("cyberark_identity")
    } else if target.starts_with("identity_sandbox") {
        Some("cyberark_identity.sandbox")
    } else {
        None
    }
}

/// The `logging` level number of a tracing level.
fn level_number(level: &Level) -> u8 {
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
        if logger_name(attrs.metadata().target()).is_none() {
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
        let Some(logger) = logger_name(metadata.target()) else {
            return;
        };
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
        let level = level_number(metadata.level());
        // During interpreter shutdown there is no logging module to talk to; drop the record.
        let _ = Python::try_attach(|py| -> PyResult<()> {
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
