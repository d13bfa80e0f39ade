//! D14: the runtime's own manual-validation GET (cargo feature `validation-get`), against a TLS
//! server on loopback that plays an Event Grid host.

pub mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tower::ServiceExt;
use webhook_runtime::eventgrid::{ValidationGet, event_grid_validation_url};
use webhook_runtime::{Config, EventGridEvent, webhook};

use common::tls::self_signed;

const HOST: &str = "rp-test.eventgrid.azure.net";

#[webhook(schema = eventgrid, subscriptions = ["quickstart"])]
async fn grid(_event: EventGridEvent) {}

/// A TLS server for [`HOST`] answering every request with `answer`; each request head is sent
/// on the channel.
async fn event_grid_host(
    answer: &'static str,
) -> (SocketAddr, String, mpsc::UnboundedReceiver<String>) {
    let (config, pem) = self_signed(HOST);
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (heads, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let Ok(mut tls) = acceptor.accept(stream).await else {
                continue;
            };
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match tls.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            let _ = heads.send(String::from_utf8_lossy(&head).into_owned());
            let _ = tls.write_all(answer.as_bytes()).await;
            let _ = tls.shutdown().await;
        }
    });
    (address, pem, received)
}

fn client(address: SocketAddr, pem: &str) -> ValidationGet {
    ValidationGet::builder()
        .resolve(HOST, address)
        .add_root_certificate_pem(pem.as_bytes())
        .expect("root certificate")
        .build()
        .expect("client")
}

fn validation(url: &str) -> Request<Body> {
    let body = json!([{
        "id": "1", "topic": "/t", "subject": "", "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
        "eventTime": "2022-10-28T04:23:35.1981776Z", "dataVersion": "1", "metadataVersion": "1",
        "data": {"validationCode": "code-1", "validationUrl": url}
    }]);
    Request::post("/")
        .header("content-type", "application/json")
        .header("aeg-event-type", "SubscriptionValidation")
        .header("aeg-subscription-name", "QUICKSTART")
        .body(Body::from(body.to_string()))
        .expect("request")
}

async fn send(app: Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.oneshot(request).await.expect("answer");
    let status = response.status();
    // Reading the body to its end is what "the 200 has been sent" means in process.
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn d14_validation_url_is_fetched_once_after_the_200() {
    let (address, pem, mut heads) =
        event_grid_host("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
    let config = grid::config().with_validation_get(client(address, &pem));
    let app = Router::new().route("/", grid::route_with(config));
    let url = format!(
        "https://{HOST}:{}/eventsubscriptions/quickstart/validate?id=1&token=x",
        address.port()
    );
    let (status, body) = send(app, validation(&url)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "", "no validationResponse: the GET validates");
    let head = tokio::time::timeout(Duration::from_secs(20), heads.recv())
        .await
        .expect("the runtime GETs the validation URL")
        .expect("a request head");
    assert!(
        head.starts_with("GET /eventsubscriptions/quickstart/validate?id=1&token=x HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("host: {HOST}:{}", address.port())),
        "{head}"
    );
}

#[tokio::test]
async fn d14_redirects_are_not_followed() {
    let (address, pem, mut heads) = event_grid_host(
        "HTTP/1.1 302 Found\r\nlocation: https://rp-test.eventgrid.azure.net/elsewhere\r\ncontent-length: 0\r\n\r\n",
    )
    .await;
    let config = grid::config().with_validation_get(client(address, &pem));
    let app = Router::new().route("/", grid::route_with(config));
    let url = format!("https://{HOST}:{}/validate", address.port());
    assert_eq!(send(app, validation(&url)).await.0, StatusCode::OK);
    let first = tokio::time::timeout(Duration::from_secs(20), heads.recv())
        .await
        .expect("one GET");
    assert!(first.expect("head").starts_with("GET /validate "));
    let second = tokio::time::timeout(Duration::from_millis(500), heads.recv()).await;
    assert!(second.is_err(), "the redirect was followed: {second:?}");
}

#[tokio::test]
async fn d14_urls_off_event_grid_are_refused_and_never_fetched() {
    let (address, pem, mut heads) =
        event_grid_host("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
    let port = address.port();
    for url in [
        format!("http://{HOST}:{port}/validate"),
        format!("https://eventgrid.azure.net.evil.tld:{port}/validate"),
        format!("https://{HOST}@evil.tld:{port}/validate"),
        format!("https://user:pw@{HOST}:{port}/validate"),
        format!("https://127.0.0.1:{port}/validate"),
        "not a url".to_owned(),
    ] {
        let config = grid::config().with_validation_get(client(address, &pem));
        let app = Router::new().route("/", grid::route_with(config));
        let (status, body) = send(app, validation(&url)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
        assert!(body.contains("Event Grid host"), "{url}: {body}");
    }
    assert!(heads.try_recv().is_err(), "a refused URL was fetched");
}

#[tokio::test]
async fn d14_get_needs_a_subscription_list() {
    let (address, pem, mut heads) =
        event_grid_host("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
    let config = Config::new().with_validation_get(client(address, &pem));
    let app = Router::new().route(
        "/",
        webhook_runtime::route::eventgrid(config, |_: EventGridEvent, (): ()| async {}),
    );
    let url = format!("https://{HOST}:{}/validate", address.port());
    assert_eq!(send(app, validation(&url)).await.0, StatusCode::FORBIDDEN);
    assert!(heads.try_recv().is_err());
}

#[test]
fn d14_validation_url_check() {
    for good in [
        "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/x/validate?id=1",
        "https://eventgrid.azure.net/validate",
        "https://a.b.EventGrid.Azure.US/validate",
        "https://x.eventgrid.azure.cn/",
        "https://x.eventgrid.azure.eaglex.ic.gov/",
        "https://x.eventgrid.azure.microsoft.scloud/",
    ] {
        assert!(event_grid_validation_url(good).is_some(), "{good}");
    }
    for bad in [
        "http://rp.eventgrid.azure.net/",
        "https://eventgrid.azure.net.evil.tld/",
        "https://xeventgrid.azure.net/",
        "https://rp.eventgrid.azure.net@evil.tld/",
        "https://evil.tld#@rp.eventgrid.azure.net/",
        "https://evil.tld\\@rp.eventgrid.azure.net/",
        "https://[::1]/",
        "https://10.0.0.1/",
        "ftp://rp.eventgrid.azure.net/",
        "",
    ] {
        assert!(event_grid_validation_url(bad).is_none(), "{bad}");
    }
}
