//! The endpoint probe under its former name: `cargo run --example probe -- <url> [options]` runs
//! the `webhook-probe` command (the `webhook-probe` crate; install it with
//! `cargo install --path webhook-probe`), kept so that existing scripts still work.

fn main() -> std::process::ExitCode {
    webhook_probe::main()
}
