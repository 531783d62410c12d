//! The project's Python environment: `.venv` with the pinned tools of `xtask/requirements.txt`.
//!
//! xtask creates it on first use and reinstalls when the requirements change, so a fresh
//! machine needs nothing but `python3`.

use crate::util::{root, run};
use std::fs;
use std::path::PathBuf;
use std::process::Command;

/// The requirements file, relative to the repository root.
const REQUIREMENTS: &str = "xtask/requirements.txt";

/// The virtual environment's directory.
pub fn venv() -> Result<PathBuf, String> {
    Ok(root()?.join(".venv"))
}

/// A program inside the virtual environment (`python`, `pytest`, …).
pub fn bin(name: &str) -> Result<PathBuf, String> {
    Ok(venv()?.join("bin").join(name))
}

/// Creates `.venv` if needed and installs the pinned requirements when they changed.
pub fn ensure() -> Result<(), String> {
    let python = bin("python")?;
    if !python.exists() {
        let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        run(Command::new(interpreter).args(["-m", "venv"]).arg(venv()?))?;
    }
    let wanted = fs::read_to_string(root()?.join(REQUIREMENTS))
        .map_err(|e| format!("cannot read {REQUIREMENTS}: {e}"))?;
    let stamp = venv()?.join(".requirements-installed");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        REQUIREMENTS,
    ]))?;
    fs::write(&stamp, wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
}
