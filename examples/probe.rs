//! The endpoint probe: plays a sender's handshake against any URL with the testing kit
//! (`webhook_runtime::testing`) and tells whether the sender would start delivering.
//!
//! ```text
//! cargo run --example probe -- <url> [--sender cloudevents|eventgrid|eventgrid-cloudevents|eventmesh]
//!     [--origin NAME] [--rate N] [--callback URL] [--user U --password P | --bearer TOKEN]
//!     [--subscription NAME] [--timeout SECS] [--ca-cert FILE]
//! ```
//!
//! It prints the request sent (secrets redacted), the answer, the sender's verdict and a final
//! `handshake status:` line, and exits 0 only when the status is `Completed` (1 when the
//! handshake failed, 2 on a usage error).
//!
//! The password and the bearer token can come from `PROBE_PASSWORD` and `PROBE_BEARER` instead
//! of the command line, which other users of the machine can read (`ps`).

use std::process::ExitCode;
use std::time::Duration;

use webhook_runtime::testing::{Authorization, Exchange, HandshakeReport, SimulatedSender, Target};

const USAGE: &str = "\
usage: probe <url> [options]

Plays a webhook sender's handshake against <url> (http or https) and prints each step.

options:
  --sender KIND        cloudevents (default): the CloudEvents OPTIONS handshake
                       eventgrid: Azure Event Grid's validation event (Event Grid schema)
                       eventgrid-cloudevents: Event Grid's OPTIONS handshake (CloudEvents schema)
                       eventmesh: SAP Event Mesh's OPTIONS handshake with Authorization
  --origin NAME        WebHook-Request-Origin (default: eventemitter.example.com for cloudevents,
                       eventgrid.azure.net for eventgrid-cloudevents, eventmesh.sap.example for
                       eventmesh)
  --rate N             WebHook-Request-Rate, requests per minute (a positive integer)
  --callback URL       WebHook-Request-Callback
  --user U --password P
                       HTTP Basic credentials, sent on the handshake
  --bearer TOKEN       Authorization: Bearer TOKEN
  --subscription NAME  Event Grid subscription name (aeg-subscription-name; default
                       webhook-testing)
  --timeout SECS       time limit for the answer (default 30, Event Grid's)
  --ca-cert FILE       trust this PEM root certificate too (https with a private CA)
  -h, --help           this text

environment:
  PROBE_PASSWORD       the password of --user when --password is not given
  PROBE_BEARER         the bearer token when neither --bearer nor --user is given
  (a secret on the command line can be read by every user of the machine; these cannot)

Exit status: 0 when the handshake status is Completed, 1 when it failed, 2 on a usage error.";

/// The sender to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    CloudEvents,
    EventGrid,
    EventGridCloudEvents,
    EventMesh,
}

/// The parsed command line.
#[derive(Debug, Default)]
struct Options {
    url: Option<String>,
    kind: Option<Kind>,
    origin: Option<String>,
    rate: Option<u32>,
    callback: Option<String>,
    user: Option<String>,
    password: Option<String>,
    bearer: Option<String>,
    subscription: Option<String>,
    timeout: Option<Duration>,
    ca_cert: Option<String>,
}

/// Parses the command line, taking the secrets it leaves out from `env` (`PROBE_PASSWORD`,
/// `PROBE_BEARER`): `Ok(None)` when it asks for the help text.
fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Options>, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        if !arg.starts_with("--") {
            if options.url.replace(arg.clone()).is_some() {
                return Err(format!("one URL only (also got {arg:?})"));
            }
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--sender" => {
                options.kind = Some(match value()?.as_str() {
                    "cloudevents" => Kind::CloudEvents,
                    "eventgrid" => Kind::EventGrid,
                    "eventgrid-cloudevents" => Kind::EventGridCloudEvents,
                    "eventmesh" => Kind::EventMesh,
                    other => {
                        return Err(format!(
                            "unknown sender {other:?}: expected cloudevents, eventgrid, \
                             eventgrid-cloudevents or eventmesh"
                        ));
                    }
                });
            }
            "--origin" => options.origin = Some(value()?),
            "--rate" => {
                let rate = value()?;
                options.rate = Some(
                    rate.parse::<u32>()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| format!("--rate {rate:?} is not a positive integer"))?,
                );
            }
            "--callback" => options.callback = Some(value()?),
            "--user" => options.user = Some(value()?),
            "--password" => options.password = Some(value()?),
            "--bearer" => options.bearer = Some(value()?),
            "--subscription" => options.subscription = Some(value()?),
            "--timeout" => {
                let secs = value()?;
                options.timeout = Some(
                    secs.parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
                        .map(Duration::from_secs_f64)
                        .ok_or_else(|| {
                            format!("--timeout {secs:?} is not a number of seconds above 0")
                        })?,
                );
            }
            "--ca-cert" => options.ca_cert = Some(value()?),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if options.url.is_none() {
        return Err("the URL to probe is missing".to_owned());
    }
    let env = |name: &str| env(name).filter(|value| !value.is_empty());
    if options.user.is_some() && options.password.is_none() {
        options.password = env("PROBE_PASSWORD");
    }
    if options.user.is_none() && options.bearer.is_none() {
        options.bearer = env("PROBE_BEARER");
    }
    match (&options.user, &options.password, &options.bearer) {
        (Some(_), None, _) => return Err("--user needs --password (or PROBE_PASSWORD)".to_owned()),
        (None, Some(_), _) => return Err("--password needs --user".to_owned()),
        (Some(_), Some(_), Some(_)) => {
            return Err("give either --user and --password or --bearer, not both".to_owned());
        }
        _ => {}
    }
    Ok(Some(options))
}

/// The sender the options describe.
fn sender(options: &Options) -> SimulatedSender {
    let kind = options.kind.unwrap_or(Kind::CloudEvents);
    let subscription = options.subscription.as_deref();
    let mut sender = match kind {
        Kind::CloudEvents => SimulatedSender::cloudevents("eventemitter.example.com"),
        Kind::EventGrid => SimulatedSender::event_grid(subscription.unwrap_or("webhook-testing")),
        Kind::EventGridCloudEvents => SimulatedSender::event_grid_cloudevents(),
        Kind::EventMesh => SimulatedSender::event_mesh("eventmesh.sap.example"),
    };
    if let Some(subscription) = subscription {
        sender = sender.with_subscription(subscription);
    }
    if let Some(origin) = &options.origin {
        sender = sender.with_origin(origin);
    }
    if let Some(rate) = options.rate {
        sender = sender.with_rate(rate);
    }
    if let Some(callback) = &options.callback {
        sender = sender.with_callback(callback);
    }
    if let (Some(user), Some(password)) = (&options.user, &options.password) {
        sender = sender.with_authorization(Authorization::basic(user, password));
    }
    if let Some(token) = &options.bearer {
        sender = sender.with_authorization(Authorization::bearer(token));
    }
    sender
}

fn target(options: &Options) -> Result<Target, String> {
    let url = options.url.as_deref().unwrap_or_default();
    let mut target = Target::url(url).map_err(|error| error.to_string())?;
    if let Some(timeout) = options.timeout {
        target = target.with_timeout(timeout);
    }
    if let Some(file) = &options.ca_cert {
        let pem = std::fs::read(file).map_err(|error| format!("--ca-cert {file}: {error}"))?;
        target = target
            .with_root_certificate_pem(&pem)
            .map_err(|error| format!("--ca-cert {file}: {error}"))?;
    }
    Ok(target)
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

fn print_exchange(exchange: &Exchange) {
    print_prefixed("> ", &exchange.request.to_string());
    match &exchange.answer {
        Ok(answer) => print_prefixed("< ", &answer.to_string()),
        Err(error) => println!("< ({error})"),
    }
}

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

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Some(options)) => options,
        Err(error) => {
            eprintln!("probe: {error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let target = match target(&options) {
        Ok(target) => target,
        Err(error) => {
            eprintln!("probe: {error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sender = sender(&options);
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
