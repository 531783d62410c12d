//! `cargo xtask demo`: regenerate, build, and run the Rust and Python tours against the sandbox.
//!
//! The tours start the sandbox tenant in-process (seeded with demo data) when `CYBERARK_TENANT`
//! is unset, so the demo needs no ports or credentials; with `CYBERARK_TENANT`,
//! `CYBERARK_CLIENT_ID` and `CYBERARK_CLIENT_SECRET` set it runs against that tenant instead.
//! The Vault tour does the same with `CYBERARK_PVWA_URL` and the variables its header names.

use crate::codegen::{self, Mode};
use crate::pytests;
use crate::util::{cargo, root, run};

pub fn run_demo(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err(format!("usage: cargo xtask demo (got {args:?})"));
    }
    eprintln!("==> regenerating the clients from spec/identity.yaml");
    let written = codegen::generate(&root()?, Mode::Write)?;
    eprintln!("{} generated file(s) changed", written.len());
    eprintln!("\n==> the Rust tour");
    run(cargo().args([
        "run",
        "--quiet",
        "-p",
        "cyberark-identity",
        "--example",
        "tour",
    ]))?;
    eprintln!("\n==> the Rust Vault tour");
    run(cargo().args([
        "run",
        "--quiet",
        "-p",
        "cyberark-vault",
        "--example",
        "tour",
    ]))?;
    eprintln!("\n==> the Python tour");
    pytests::run_tour()?;
    eprintln!("\ndemo finished");
    Ok(())
}
