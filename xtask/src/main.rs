//! The workspace's code generators, run as `cargo xtask <task>`.
//!
//! - `azure-events [--check]`: Rust types for Azure Event Grid's system events, from
//!   `tools/azure-events/model.json` (see `tools/azure-events/README.md`). `--check` writes
//!   nothing and fails when a committed file differs from what the generator makes, which is how
//!   CI knows the committed output is the generator's.
//! - `msrv`: fails when a published crate's `rust-version` is below what one of its dependencies
//!   declares (see `msrv.rs` for how the rest of the version is checked).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod azure_events;
mod msrv;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["azure-events"] => azure_events::run(&root, false),
        ["azure-events", "--check"] => azure_events::run(&root, true),
        ["msrv"] => msrv::check(&root),
        _ => Err("usage: cargo xtask azure-events [--check] | msrv".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ sits in the workspace root")
        .to_path_buf()
}
