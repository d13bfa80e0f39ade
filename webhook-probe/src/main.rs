//! `webhook-probe`: plays a webhook sender's handshake against a URL (see `--help`).

fn main() -> std::process::ExitCode {
    webhook_probe::main()
}
