//! The endpoint probe: plays a webhook sender's handshake against any URL with the testing kit
//! (`webhook_runtime::testing`) and tells whether the sender would start delivering.
//!
//! The `webhook-probe` binary is [`main`]; the library part lets the workspace's
//! `examples/probe.rs` run the same program. It prints the request sent (secrets redacted), the
//! answer, the sender's verdict and a final `handshake status:` line, and exits 0 only when the
//! status is `Completed` (1 when the handshake failed, 2 on a usage error).

use std::process::ExitCode;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, ValueEnum};
use webhook_runtime::testing::{Authorization, Exchange, HandshakeReport, SimulatedSender, Target};

/// What `--help` prints after the options: the secrets' environment variables and the exit
/// status, which clap cannot derive.
const AFTER_HELP: &str = "\
Environment:
  PROBE_PASSWORD       the password of --user when --password is not given
  PROBE_BEARER         the bearer token when none of --bearer, --user, --token-url is given
  PROBE_CLIENT_SECRET  the client secret of --client-id when --client-secret is not given
  (a secret on the command line can be read by every user of the machine; these cannot)

Exit status: 0 when the handshake status is Completed, 1 when it failed, 2 on a usage error.";

/// The command line of `webhook-probe`.
#[derive(Debug, Parser)]
#[command(
    name = "webhook-probe",
    version,
    about = "Plays a webhook sender's handshake against <URL> (http or https) and prints each step.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// The webhook endpoint to probe (http or https).
    pub url: String,

    /// The sender to play.
    #[arg(long, value_enum, value_name = "KIND", default_value_t = SenderKind::CloudEvents)]
    pub sender: SenderKind,

    /// WebHook-Request-Origin (default: eventemitter.example.com for cloudevents,
    /// eventgrid.azure.net for eventgrid-cloudevents, eventmesh.sap.example for eventmesh).
    #[arg(long, value_name = "NAME")]
    pub origin: Option<String>,

    /// WebHook-Request-Rate, requests per minute (a positive integer).
    #[arg(long, value_name = "N", value_parser = positive_integer)]
    pub rate: Option<u32>,

    /// WebHook-Request-Callback.
    #[arg(long, value_name = "URL")]
    pub callback: Option<String>,

    /// HTTP Basic user, sent on the handshake (with --password or PROBE_PASSWORD).
    #[arg(long, value_name = "U", conflicts_with = "bearer")]
    pub user: Option<String>,

    /// HTTP Basic password of --user.
    #[arg(long, value_name = "P", requires = "user")]
    pub password: Option<String>,

    /// Authorization: Bearer TOKEN.
    #[arg(long, value_name = "TOKEN")]
    pub bearer: Option<String>,

    /// OAuth2 token endpoint (client credentials, as SAP Event Mesh uses): the bearer token
    /// is fetched there with --client-id and --client-secret (https, or http to loopback).
    #[arg(
        long,
        value_name = "URL",
        requires = "client_id",
        conflicts_with_all = ["user", "bearer"]
    )]
    pub token_url: Option<String>,

    /// OAuth2 client id of --token-url.
    #[arg(long, value_name = "ID", requires = "token_url")]
    pub client_id: Option<String>,

    /// OAuth2 client secret of --client-id (or PROBE_CLIENT_SECRET).
    #[arg(long, value_name = "SECRET", requires = "token_url")]
    pub client_secret: Option<String>,

    /// OAuth2 scope to ask --token-url for (several separated by spaces).
    #[arg(long, value_name = "SCOPE", requires = "token_url")]
    pub scope: Option<String>,

    /// Event Grid subscription name (aeg-subscription-name; default webhook-testing).
    #[arg(long, value_name = "NAME")]
    pub subscription: Option<String>,

    /// Time limit for the answer (default 30, Event Grid's).
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    pub timeout: Option<Duration>,

    /// Trust this PEM root certificate too (https with a private CA).
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<String>,
}

/// The sender the probe plays (`--sender`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SenderKind {
    /// The CloudEvents OPTIONS handshake.
    #[value(name = "cloudevents")]
    CloudEvents,
    /// Azure Event Grid's validation event (Event Grid schema).
    #[value(name = "eventgrid")]
    EventGrid,
    /// Event Grid's OPTIONS handshake (CloudEvents schema).
    #[value(name = "eventgrid-cloudevents")]
    EventGridCloudEvents,
    /// SAP Event Mesh's OPTIONS handshake with Authorization.
    #[value(name = "eventmesh")]
    EventMesh,
}

/// `--rate`: a positive integer (a rate of 0 would ask for no deliveries at all).
fn positive_integer(value: &str) -> Result<u32, String> {
    value
        .parse::<u32>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{value:?} is not a positive integer"))
}

/// `--timeout`: seconds above 0, fractions allowed (tests wait half a second), at most a day
/// so that `Duration::from_secs_f64` cannot overflow.
fn seconds(value: &str) -> Result<Duration, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{value:?} is not a number of seconds above 0"))
}

/// A usage error that clap's declarations cannot express (it depends on the environment, or on
/// what the testing kit accepts), printed like clap's own and exiting 2 like them.
fn usage_error(message: impl std::fmt::Display) -> clap::Error {
    Cli::command().error(ErrorKind::ValueValidation, message)
}

impl Cli {
    /// The sender the command line describes, taking the secrets it leaves out from `env`
    /// (`PROBE_PASSWORD`, `PROBE_BEARER`, `PROBE_CLIENT_SECRET`; an empty value is none).
    ///
    /// # Errors
    ///
    /// A usage error when a secret is missing or the token URL is refused.
    pub fn sender(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<SimulatedSender, clap::Error> {
        let env = |name: &str| env(name).filter(|value| !value.is_empty());
        let subscription = self.subscription.as_deref();
        let mut sender = match self.sender {
            SenderKind::CloudEvents => SimulatedSender::cloudevents("eventemitter.example.com"),
            SenderKind::EventGrid => {
                SimulatedSender::event_grid(subscription.unwrap_or("webhook-testing"))
            }
            SenderKind::EventGridCloudEvents => SimulatedSender::event_grid_cloudevents(),
            SenderKind::EventMesh => SimulatedSender::event_mesh("eventmesh.sap.example"),
        };
        if let Some(subscription) = subscription {
            sender = sender.with_subscription(subscription);
        }
        if let Some(origin) = &self.origin {
            sender = sender.with_origin(origin);
        }
        if let Some(rate) = self.rate {
            sender = sender.with_rate(rate);
        }
        if let Some(callback) = &self.callback {
            sender = sender.with_callback(callback);
        }
        // clap has ruled out mixing the three kinds of credentials; the environment only fills
        // in the secret of the kind given, so that a stray variable never adds a second one.
        if let Some(user) = &self.user {
            let password = self
                .password
                .clone()
                .or_else(|| env("PROBE_PASSWORD"))
                .ok_or_else(|| usage_error("--user needs --password (or PROBE_PASSWORD)"))?;
            sender = sender.with_authorization(Authorization::basic(user, &password));
        } else if let Some(token_url) = &self.token_url {
            let client_id = self.client_id.as_deref().unwrap_or_default();
            let secret = self
                .client_secret
                .clone()
                .or_else(|| env("PROBE_CLIENT_SECRET"))
                .ok_or_else(|| {
                    usage_error("--client-id needs --client-secret (or PROBE_CLIENT_SECRET)")
                })?;
            let mut credentials = Authorization::client_credentials(token_url, client_id, &secret)
                .map_err(|error| usage_error(format!("--token-url: {error}")))?;
            if let Some(scope) = &self.scope {
                credentials = credentials.with_scope(scope);
            }
            sender = sender.with_authorization(credentials);
        } else if let Some(token) = self.bearer.clone().or_else(|| env("PROBE_BEARER")) {
            sender = sender.with_authorization(Authorization::bearer(&token));
        }
        Ok(sender)
    }

    /// Where the probe sends its requests: the URL, with the time limit and the extra root
    /// certificate of the command line.
    ///
    /// # Errors
    ///
    /// A usage error when the URL is not an http(s) URL or the certificate cannot be read.
    pub fn target(&self) -> Result<Target, clap::Error> {
        let mut target = Target::url(&self.url).map_err(usage_error)?;
        if let Some(timeout) = self.timeout {
            target = target.with_timeout(timeout);
        }
        if let Some(file) = &self.ca_cert {
            let pem = std::fs::read(file)
                .map_err(|error| usage_error(format!("--ca-cert {file}: {error}")))?;
            target = target
                .with_root_certificate_pem(&pem)
                .map_err(|error| usage_error(format!("--ca-cert {file}: {error}")))?;
        }
        Ok(target)
    }
}

/// Prints `text` with `prefix` before each line.
fn print_prefixed(prefix: &str, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            println!("{}", prefix.trim_end());
        } else {
            println!("{prefix}{line}");
        }
    }
}

/// Prints the request (`> `) and the answer or why there was none (`< `).
fn print_exchange(exchange: &Exchange) {
    print_prefixed("> ", &exchange.request.to_string());
    match &exchange.answer {
        Ok(answer) => print_prefixed("< ", &answer.to_string()),
        Err(error) => println!("< ({error})"),
    }
}

/// Prints the exchange, the verdict, the violations noticed and the final status line.
fn print_report(report: &HandshakeReport) {
    print_exchange(report.exchange());
    match report.status().failure() {
        None if report.exchange().request.method == "OPTIONS" => {
            println!("verdict: Completed: WebHook-Allowed-Origin grants the requested origin");
        }
        None => println!("verdict: Completed: validationResponse is the validation code"),
        Some(failure) => println!("verdict: Failed: {failure}"),
    }
    for violation in report.violations() {
        println!("warning: {violation}");
    }
    println!("handshake status: {}", report.status());
}

/// Prints a usage error as clap does and gives its exit status (2).
fn fail(error: &clap::Error) -> ExitCode {
    let _ = error.print();
    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
}

/// Runs the probe the command line describes, with the secrets it leaves out taken from `env`:
/// prints each step and returns the exit status (0 completed, 1 failed, 2 usage error).
pub async fn run(cli: &Cli, env: impl Fn(&str) -> Option<String>) -> ExitCode {
    let target = match cli.target() {
        Ok(target) => target,
        Err(error) => return fail(&error),
    };
    let sender = match cli.sender(env) {
        Ok(sender) => sender,
        Err(error) => return fail(&error),
    };
    println!(
        "probe: {} handshake with {target} (time limit {} s)",
        sender.name(),
        target.timeout().as_secs_f64()
    );
    let report = sender.handshake(&target).await;
    print_report(&report);
    if report.is_completed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The whole program: parses the process's arguments (clap prints the help or a usage error
/// and exits), then [`run`]s on a single-threaded runtime (one handshake needs no more).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("webhook-probe: the async runtime could not be started: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(&cli, |name| std::env::var(name).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("webhook-probe").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn conflicting_credentials_are_usage_errors() {
        for args in [
            &["http://127.0.0.1:9/", "--password", "p"][..],
            &["http://127.0.0.1:9/", "--user", "u", "--bearer", "t"],
            &["http://127.0.0.1:9/", "--token-url", "http://127.0.0.1:9/t"],
            &["http://127.0.0.1:9/", "--client-id", "c"],
            &["http://127.0.0.1:9/", "--scope", "s"],
            &[
                "http://127.0.0.1:9/",
                "--token-url",
                "http://127.0.0.1:9/t",
                "--client-id",
                "c",
                "--user",
                "u",
            ],
            &[
                "http://127.0.0.1:9/",
                "--token-url",
                "http://127.0.0.1:9/t",
                "--client-id",
                "c",
                "--bearer",
                "t",
            ],
        ] {
            let error = parse(args).expect_err(&format!("{args:?}"));
            assert_eq!(error.exit_code(), 2, "{args:?}");
        }
    }

    #[test]
    fn secrets_come_from_the_environment_only_for_the_kind_given() {
        let no_env = |_: &str| None;
        let cli = parse(&["http://127.0.0.1:9/", "--user", "u"]).unwrap();
        assert!(cli.sender(no_env).is_err());
        assert!(
            cli.sender(|_| Some(String::new())).is_err(),
            "empty is none"
        );
        assert!(
            cli.sender(|name| (name == "PROBE_PASSWORD").then(|| "p".into()))
                .is_ok()
        );

        let cli = parse(&[
            "http://127.0.0.1:9/",
            "--token-url",
            "http://127.0.0.1:9/t",
            "--client-id",
            "c",
        ])
        .unwrap();
        assert!(cli.sender(no_env).is_err());
        let sender = cli.sender(|name| (name == "PROBE_CLIENT_SECRET").then(|| "s3cret".into()));
        assert!(!format!("{:?}", sender.unwrap()).contains("s3cret"));

        let cli = parse(&[
            "http://127.0.0.1:9/",
            "--token-url",
            "http://uaa.example.com/t",
            "--client-id",
            "c",
            "--client-secret",
            "s",
        ])
        .unwrap();
        let error = cli.sender(no_env).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert!(error.to_string().contains("--token-url"), "{error}");
    }

    #[test]
    fn rate_and_timeout_are_checked() {
        assert!(parse(&["http://127.0.0.1:9/", "--rate", "0"]).is_err());
        assert_eq!(
            parse(&["http://127.0.0.1:9/", "--rate", "300"])
                .unwrap()
                .rate,
            Some(300)
        );
        assert!(parse(&["http://127.0.0.1:9/", "--timeout", "soon"]).is_err());
        assert!(parse(&["http://127.0.0.1:9/", "--timeout", "-1"]).is_err());
        assert_eq!(
            parse(&["http://127.0.0.1:9/", "--timeout", "0.5"])
                .unwrap()
                .timeout,
            Some(Duration::from_millis(500))
        );
    }
}
