//! Deduplication in Redis (D8, feature `redis`): the `RedisStore` contract against a real
//! `redis-server`, two stores standing for two replicas behind a load balancer, concurrent
//! claims, deliveries over HTTP through `tower::ServiceExt::oneshot`, and an unreachable Redis.
//!
//! Each test starts its own `redis-server` on a free loopback port and kills it when done; where
//! the binary is not installed, the test says so and passes without checking anything.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;
use webhook_runtime::dedup::{Claim, Dedup, DedupStore, RedisStore};
use webhook_runtime::{AllowedOrigins, CloudEvent, Config, route};

pub mod common;

use common::redis::{RedisServer, free_port};

const LONG: Duration = Duration::from_secs(60);

async fn connect(server: &RedisServer) -> RedisStore {
    RedisStore::connect(&server.url())
        .await
        .expect("connects to the test's redis-server")
}

async fn claim(store: &RedisStore, key: &str, lease: Duration) -> Claim {
    store.claim(key, lease).await.expect("claim")
}

#[tokio::test]
async fn d8_redis_store_claims_completes_and_releases() {
    let Some(server) = RedisServer::start_with(&[]) else {
        return;
    };
    let store = connect(&server).await;

    assert_eq!(claim(&store, "a", LONG).await, Claim::Claimed);
    assert_eq!(claim(&store, "a", LONG).await, Claim::InFlight);
    store.complete("a", LONG).await.unwrap();
    assert_eq!(claim(&store, "a", LONG).await, Claim::Done);
    // A release (a late failure elsewhere) never erases a completed record.
    store.release("a").await.unwrap();
    assert_eq!(claim(&store, "a", LONG).await, Claim::Done);

    // A released claim is claimable again.
    assert_eq!(claim(&store, "b", LONG).await, Claim::Claimed);
    store.release("b").await.unwrap();
    assert_eq!(claim(&store, "b", LONG).await, Claim::Claimed);
    // Releasing a key nobody holds is harmless.
    store.release("never-claimed").await.unwrap();
    assert_eq!(claim(&store, "never-claimed", LONG).await, Claim::Claimed);

    // Keys are any strings the route makes (spaces, non-ASCII, long).
    let odd = format!("/hook ce 3 /s\u{e9} id\n{}", "x".repeat(900));
    assert_eq!(claim(&store, &odd, LONG).await, Claim::Claimed);
    store.complete(&odd, LONG).await.unwrap();
    assert_eq!(claim(&store, &odd, LONG).await, Claim::Done);
}

#[tokio::test]
async fn d8_redis_lease_and_window_expire() {
    let Some(server) = RedisServer::start_with(&[]) else {
        return;
    };
    let store = connect(&server).await;
    let short = Duration::from_millis(50);

    // A claim whose delivery never finished lapses with its lease.
    assert_eq!(claim(&store, "lease", short).await, Claim::Claimed);
    assert_eq!(claim(&store, "lease", LONG).await, Claim::InFlight);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(claim(&store, "lease", LONG).await, Claim::Claimed);

    // A handled event is forgotten after its window.
    assert_eq!(claim(&store, "window", LONG).await, Claim::Claimed);
    store.complete("window", short).await.unwrap();
    assert_eq!(claim(&store, "window", LONG).await, Claim::Done);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(claim(&store, "window", LONG).await, Claim::Claimed);

    // Zero durations are accepted (Redis rejects `PX 0`: the store sends 1 ms).
    assert_eq!(claim(&store, "zero", Duration::ZERO).await, Claim::Claimed);
    store.complete("zero", Duration::ZERO).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(claim(&store, "zero", LONG).await, Claim::Claimed);
}

#[tokio::test]
async fn d8_redis_two_replicas_share_claims_and_records() {
    let Some(server) = RedisServer::start_with(&[]) else {
        return;
    };
    let a = connect(&server).await;
    let b = connect(&server).await;

    assert_eq!(claim(&a, "k", LONG).await, Claim::Claimed);
    assert_eq!(
        claim(&b, "k", LONG).await,
        Claim::InFlight,
        "claimed by the other replica"
    );
    a.complete("k", LONG).await.unwrap();
    assert_eq!(
        claim(&b, "k", LONG).await,
        Claim::Done,
        "completed by the other replica"
    );

    // A release by one replica frees the key for the other.
    assert_eq!(claim(&b, "r", LONG).await, Claim::Claimed);
    b.release("r").await.unwrap();
    assert_eq!(claim(&a, "r", LONG).await, Claim::Claimed);

    // Stores under another prefix keep their own records on the same server.
    let other = connect(&server).await.with_prefix("other-app:");
    assert_eq!(other.prefix(), "other-app:");
    assert_eq!(claim(&other, "k", LONG).await, Claim::Claimed);
    assert_eq!(claim(&a, "k", LONG).await, Claim::Done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d8_redis_concurrent_claims_from_two_replicas_claim_once() {
    let Some(server) = RedisServer::start_with(&[]) else {
        return;
    };
    let stores = [
        Arc::new(connect(&server).await),
        Arc::new(connect(&server).await),
    ];
    for round in 0..5 {
        let key = format!("race-{round}");
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let store = Arc::clone(&stores[i % 2]);
            let key = key.clone();
            tasks.spawn(async move { store.claim(&key, LONG).await.expect("claim") });
        }
        let claims = tasks.join_all().await;
        let claimed = claims.iter().filter(|c| **c == Claim::Claimed).count();
        let in_flight = claims.iter().filter(|c| **c == Claim::InFlight).count();
        assert_eq!((claimed, in_flight), (1, 19), "round {round}: {claims:?}");
    }
}

/// A replica: a route at `/hook` deduplicating in its own connection to `url`; the handler
/// counts its calls and answers 500 for data `"fail"`.
async fn replica(url: &str, calls: &Arc<AtomicUsize>) -> Router {
    let store = RedisStore::connect(url).await.expect("connects");
    replica_with(store, calls)
}

fn replica_with(store: RedisStore, calls: &Arc<AtomicUsize>) -> Router {
    let config = Config::new()
        .with_origins(AllowedOrigins::parse(["*"]).unwrap())
        .with_dedup(Dedup::new(store, LONG));
    let calls = Arc::clone(calls);
    let handler = move |event: CloudEvent<Value>, (): ()| {
        let calls = Arc::clone(&calls);
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            if event.data() == "fail" {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::NO_CONTENT
            }
        }
    };
    Router::new().route("/hook", route::cloudevents(config, handler))
}

/// Delivers a structured CloudEvent to `app`.
async fn deliver(app: &Router, id: &str, data: &str) -> axum::response::Response {
    let body = json!({"specversion": "1.0", "id": id, "source": "/orders", "type": "order.created", "data": data});
    let request = Request::post("/hook")
        .header(header::CONTENT_TYPE, "application/cloudevents+json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.clone().oneshot(request).await.unwrap()
}

async fn status(app: &Router, id: &str, data: &str) -> StatusCode {
    deliver(app, id, data).await.status()
}

#[tokio::test]
async fn d8_redis_an_event_delivered_to_two_replicas_is_handled_once() {
    let Some(server) = RedisServer::start_with(&[]) else {
        return;
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let a = replica(&server.url(), &calls).await;
    let b = replica(&server.url(), &calls).await;

    assert!(status(&a, "1", "ok").await.is_success());
    assert!(
        status(&b, "1", "ok").await.is_success(),
        "the redelivery is acknowledged"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the redelivery to the other replica did not call the handler"
    );

    assert!(status(&b, "2", "ok").await.is_success());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "another id is another event"
    );
    assert!(status(&a, "2", "ok").await.is_success());
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // A failed event is not recorded: its redelivery, to either replica, runs again.
    assert_eq!(
        status(&a, "3", "fail").await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(
        status(&b, "3", "fail").await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(
        status(&a, "3", "fail").await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(calls.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn d8_redis_an_unreachable_store_answers_503_without_the_handler_and_recovers() {
    let Some(server) = RedisServer::start_with(&[]) else {
        return;
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let app = replica(&server.url(), &calls).await;
    assert!(status(&app, "1", "ok").await.is_success());
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Redis goes away mid-run.
    let port = server.stop();
    let started = Instant::now();
    let response = deliver(&app, "2", "ok").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        response.headers().contains_key(header::RETRY_AFTER),
        "a 503 tells the sender when to deliver again"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the handler was not called without a claim"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "a dead store is noticed in bounded time ({:?})",
        started.elapsed()
    );

    // Redis comes back on the same port (empty: it kept nothing): the store reconnects by itself.
    let _server = RedisServer::start_on(port, &[])
        .unwrap_or_else(|_| panic!("redis-server restarts on port {port}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = status(&app, "2", "ok").await;
        if status.is_success() {
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            Instant::now() < deadline,
            "the store did not reconnect within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn d8_redis_connect_errors_do_not_leak_the_password() {
    // Nothing listens on the port: the connection is refused. (No redis-server needed.)
    let url = format!("redis://:s3cret-pw@127.0.0.1:{}/", free_port());
    let error = RedisStore::connect(&url)
        .await
        .expect_err("nothing listens there");
    let message = error.to_string();
    assert!(!message.contains("s3cret-pw"), "{message}");
    assert!(!message.contains(&url), "{message}");
    assert!(message.contains("Redis"), "{message}");

    // An invalid URL is refused without repeating it.
    let error = RedisStore::connect("http://:s3cret-pw@127.0.0.1/")
        .await
        .expect_err("not a Redis URL");
    assert!(!error.to_string().contains("s3cret-pw"), "{error}");
}

#[tokio::test]
async fn d8_redis_a_wrong_password_is_refused_without_being_repeated() {
    let Some(server) = RedisServer::start_with(&["--requirepass", "right-pw"]) else {
        return;
    };
    let wrong = format!("redis://:wrong-pw@127.0.0.1:{}/", server.port);
    let error = RedisStore::connect(&wrong)
        .await
        .expect_err("the password is wrong");
    let message = error.to_string();
    assert!(
        !message.contains("wrong-pw") && !message.contains("right-pw"),
        "{message}"
    );

    let right = format!("redis://:right-pw@127.0.0.1:{}/", server.port);
    let store = RedisStore::connect(&right)
        .await
        .expect("the password is right");
    assert_eq!(claim(&store, "k", LONG).await, Claim::Claimed);
    // The store's Debug output names no server and no credentials.
    let debug = format!("{store:?}");
    assert!(
        !debug.contains("right-pw") && !debug.contains("127.0.0.1"),
        "{debug}"
    );
}

/// A fresh self-signed certificate for `127.0.0.1` and its key, as PEM files for
/// `redis-server`'s TLS port; the folder is removed on drop.
struct TlsFiles {
    dir: std::path::PathBuf,
    certificate: String,
}

impl TlsFiles {
    fn new() -> Self {
        let certified =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("certificate");
        let dir = std::env::temp_dir().join(format!(
            "webhook-redis-tls-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).expect("a folder for the certificate");
        let certificate = certified.cert.pem();
        std::fs::write(dir.join("cert.pem"), &certificate).expect("write the certificate");
        std::fs::write(dir.join("key.pem"), certified.signing_key.serialize_pem())
            .expect("write the key");
        Self { dir, certificate }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for TlsFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// D8 with feature `redis-tls`: a `rediss://` store verifies the server's certificate (a private
/// CA is given with `connect_with_root_certificate`; the system's roots do not know it) and then
/// works as over plain TCP.
#[tokio::test]
async fn d8_redis_store_over_tls_verifies_the_server() {
    let tls = TlsFiles::new();
    let tls_port = free_port().to_string();
    let (certificate, key) = (tls.path("cert.pem"), tls.path("key.pem"));
    let Some(server) = RedisServer::start_with(&[
        "--tls-port",
        &tls_port,
        "--tls-cert-file",
        &certificate,
        "--tls-key-file",
        &key,
        "--tls-ca-cert-file",
        &certificate,
        "--tls-auth-clients",
        "no",
    ]) else {
        return;
    };
    let url = format!("rediss://127.0.0.1:{tls_port}/");

    let error = RedisStore::connect(&url)
        .await
        .expect_err("a certificate no system root vouches for");
    // The rustls error names the cause.
    assert!(error.to_string().contains("certificate"), "{error}");

    let store = RedisStore::connect_with_root_certificate(&url, tls.certificate.as_bytes())
        .await
        .expect("connects over TLS with the test's CA");
    assert_eq!(claim(&store, "tls", LONG).await, Claim::Claimed);
    assert_eq!(claim(&store, "tls", LONG).await, Claim::InFlight);
    store.complete("tls", LONG).await.unwrap();
    assert_eq!(claim(&store, "tls", LONG).await, Claim::Done);
    // The record is the server's: a plain-TCP store on its other port sees it.
    assert_eq!(
        claim(&connect(&server).await, "tls", LONG).await,
        Claim::Done
    );
}
