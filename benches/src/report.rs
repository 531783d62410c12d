//! The results table: printed, and written to `BENCHMARKS.md` with the command and the machine.

use crate::run::Mode;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// What was measured.
    label: String,
    /// The measured values, with medians and spreads.
    detail: String,
    /// The quoted ratio or value, if the row has a target.
    value: Option<f64>,
    /// The target, as written in the issue.
    target: String,
    /// Whether the target is met.
    met: Option<bool>,
}

impl Row {
    /// A row whose `ratio` must be at least `min`.
    pub fn ratio(label: &str, detail: String, ratio: f64, target: &str, min: f64) -> Row {
        Row {
            label: label.to_owned(),
            detail,
            value: Some(ratio),
            target: target.to_owned(),
            met: Some(ratio >= min),
        }
    }

    /// A row whose `value` must be at most (or under) `max`.
    pub fn at_most(label: &str, detail: String, value: f64, target: &str, max: f64) -> Row {
        Row {
            label: label.to_owned(),
            detail,
            value: Some(value),
            target: target.to_owned(),
            met: Some(value <= max),
        }
    }

    /// A row whose verdict was decided by the caller, for targets that combine several checks
    /// (the soak: growth within the bound *and* no failed call).
    pub fn judged(label: &str, detail: String, value: f64, target: &str, met: bool) -> Row {
        Row {
            label: label.to_owned(),
            detail,
            value: Some(value),
            target: target.to_owned(),
            met: Some(met),
        }
    }

    /// A row without a target.
    pub fn info(label: &str, detail: String) -> Row {
        Row {
            label: label.to_owned(),
            detail,
            value: None,
            target: "—".to_owned(),
            met: None,
        }
    }
}

/// Everything measured in one run.
#[derive(Debug)]
pub struct Report {
    mode: Mode,
    rows: Vec<Row>,
    notes: Vec<String>,
    missing: Vec<String>,
    /// Further Markdown sections after the table (the feature comparison).
    sections: Vec<String>,
}

impl Report {
    /// An empty report for a run in `mode`.
    pub fn new(mode: Mode) -> Report {
        Report {
            mode,
            rows: Vec::new(),
            notes: Vec::new(),
            missing: Vec::new(),
            sections: Vec::new(),
        }
    }

    /// Adds a row (and echoes it, so a long run shows progress).
    pub fn push(&mut self, row: Row) {
        eprintln!("   {}: {}", row.label, row.detail);
        self.rows.push(row);
    }

    /// Adds a note about how something was measured.
    pub fn note(&mut self, text: &str) {
        self.notes.push(text.to_owned());
    }

    /// Adds a Markdown section (with its own heading) after the table.
    pub fn section(&mut self, markdown: String) {
        self.sections.push(markdown);
    }

    /// Records a part that was not measured, and why.
    pub fn missing(&mut self, text: &str) {
        eprintln!("   NOT MEASURED: {text}");
        self.missing.push(text.to_owned());
    }

    /// Prints the table only (for a run of one part, which must not replace a full report).
    pub fn print(self) {
        println!("{}", self.markdown());
    }

    /// Prints the table and writes the Markdown report; smoke runs write it into `scratch`
    /// (`<target>/bench/`), the others to `BENCHMARKS.md` in `root`.
    /// The hand-written analysis in `benches/FINDINGS.md` (profiles, what is left) is appended.
    pub fn finish(self, root: &Path, scratch: &Path) -> Result<(), String> {
        let mut markdown = self.markdown();
        if let Ok(findings) = std::fs::read_to_string(root.join("benches/FINDINGS.md")) {
            markdown.push('\n');
            markdown.push_str(&findings);
        }
        println!("{markdown}");
        let path = match self.mode {
            Mode::Smoke => scratch.join("BENCHMARKS.smoke.md"),
            Mode::Quick | Mode::Full => root.join("BENCHMARKS.md"),
        };
        std::fs::write(&path, &markdown)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
        Ok(())
    }

    fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# Benchmarks\n");
        let _ = writeln!(
            s,
            "Produced by `cargo xtask bench{}`. Ratios are what we quote: each compares our code with what a \
             user would use instead, measured in the same run, against the same sandbox process, alternating \
             run by run. Values are medians with ± half the min–max spread and the number of samples.\n",
            self.mode.flag()
        );
        let _ = writeln!(s, "Machine: {}\n", machine());
        let _ = writeln!(s, "| measurement | ratio / value | target | met | detail |");
        let _ = writeln!(s, "| --- | --- | --- | --- | --- |");
        for row in &self.rows {
            let value = row.value.map_or("—".to_owned(), |v| format!("{v:.2}"));
            let met = match row.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            };
            let _ = writeln!(
                s,
                "| {} | {value} | {} | {met} | {} |",
                row.label, row.target, row.detail
            );
        }
        if !self.notes.is_empty() {
            let _ = writeln!(s, "\nNotes:\n");
            for note in &self.notes {
                let _ = writeln!(s, "- {note}");
            }
        }
        if !self.missing.is_empty() {
            let _ = writeln!(s, "\nNot measured in this run:\n");
            for text in &self.missing {
                let _ = writeln!(s, "- {text}");
            }
        }
        for section in &self.sections {
            let _ = writeln!(s, "\n{section}");
        }
        s
    }
}

/// nproc, CPU model and rustc version of this machine.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or("rustc unknown".to_owned(), |v| v.trim().to_owned());
    format!("nproc {cpus}, {model}, {rustc}")
}
