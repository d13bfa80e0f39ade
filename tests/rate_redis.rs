//! The granted rate shared by replicas through Redis (W11, `rate::RedisRate`, feature `redis`):
//! two routers stand for two replicas behind a load balancer and share one grant; the grant
//! refills; origins are counted apart when they are enforced; and while Redis is down each
//! replica falls back to its own limit, losing no delivery, until Redis is back.
//!
//! Each test starts its own `redis-server` on a free loopback port (`common::redis`); where the
//! binary is not installed the test says so and passes without checking anything.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use tower::ServiceExt;
use webhook_runtime::rate::RedisRate;
use webhook_runtime::{CloudEvent, webhook};

pub mod common;

use common::redis::RedisServer;

const ORIGIN: &str = "eventemitter.example.com";
const OTHER: &str = "other.example.com";

/// Six a minute: one every ten seconds, in bursts of up to six.
#[webhook(origins = ["eventemitter.example.com", "other.example.com"], schema = cloudevents, rate = 6)]
async fn orders(_event: CloudEvent) {}

/// A replica: the route with the rate enforced and shared through its own connection to Redis.
async fn replica(server: &RedisServer, enforce_origins: bool) -> Router {
    let shared = RedisRate::connect(&server.url())
        .await
        .expect("connects to the test's redis-server");
    replica_with(shared, enforce_origins)
}

/// A replica sharing the rate through `shared` (a clone shares its connection).
fn replica_with(shared: RedisRate, enforce_origins: bool) -> Router {
    let mut config = orders::config()
        .with_rate_enforcement()
        .with_shared_rate(shared);
    if enforce_origins {
        config = config.with_origin_enforcement();
    }
    Router::new().route("/orders", orders::route_with(config))
}

/// Delivers one event from `origin`: the status and the `Retry-After` seconds, if any.
async fn deliver(app: &Router, origin: &str) -> (StatusCode, Option<u64>) {
    let event =
        json!({"specversion": "1.0", "id": "e", "source": "/s", "type": "t", "data": {"n": 1}});
    let request = Request::post("/orders")
        .header("content-type", "application/cloudevents+json")
        .header("webhook-request-origin", origin)
        .body(Body::from(event.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (response.status(), retry_after)
}

#[track_caller]
fn assert_refused(answer: (StatusCode, Option<u64>)) -> u64 {
    assert_eq!(answer.0, StatusCode::TOO_MANY_REQUESTS);
    let seconds = answer.1.expect("a 429 carries Retry-After");
    assert!((1..=10).contains(&seconds), "Retry-After {seconds}");
    seconds
}

#[tokio::test]
async fn w11_two_replicas_share_one_grant() {
    let Some(server) = RedisServer::start_with(&[]) else {
        return;
    };
    let (a, b) = (replica(&server, false).await, replica(&server, false).await);
    for app in [&a, &b, &a, &b, &a, &b] {
        assert_eq!(deliver(app, ORIGIN).await.0, StatusCode::NO_CONTENT);
    }
    // Each alone would admit six more; together they have used the grant.
    assert_refused(deliver(&a, ORIGIN).await);
    assert_refused(deliver(&b, ORIGIN).await);
}

#[tokio::test]
async fn w11_the_shared_grant_refills_after_the_interval() {
    let Some(server) = RedisServer::start_with(&[]) else {
        return;
    };
    let (a, b) = (replica(&server, false).await, replica(&server, false).await);
    for _ in 0..6 {
        assert_eq!(deliver(&a, ORIGIN).await.0, StatusCode::NO_CONTENT);
    }
    let wait = assert_refused(deliver(&b, ORIGIN).await);
    tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(200)).await;
    assert_eq!(deliver(&b, ORIGIN).await.0, StatusCode::NO_CONTENT);
    assert_refused(deliver(&a, ORIGIN).await);
}

#[tokio::test]
async fn w11_enforced_origins_have_a_grant_each_and_others_share_one() {
    let Some(server) = RedisServer::start_with(&[]) else {
        return;
    };
    let enforced = replica(&server, true).await;
    for _ in 0..6 {
        assert_eq!(deliver(&enforced, ORIGIN).await.0, StatusCode::NO_CONTENT);
    }
    assert_refused(deliver(&enforced, ORIGIN).await);
    assert_eq!(deliver(&enforced, OTHER).await.0, StatusCode::NO_CONTENT);
    // Without origin enforcement the origin is the sender's say: one grant for all of them.
    let open = Router::new().route(
        "/orders",
        orders::route_with(
            orders::config().with_rate_enforcement().with_shared_rate(
                RedisRate::connect(&server.url())
                    .await
                    .unwrap()
                    .with_prefix("open:"),
            ),
        ),
    );
    for i in 0..6 {
        let origin = format!("o{i}.example.com");
        assert_eq!(deliver(&open, &origin).await.0, StatusCode::NO_CONTENT);
    }
    assert_refused(deliver(&open, "fresh.example.com").await);
}

#[tokio::test]
async fn w11_redis_down_each_replica_falls_back_to_its_own_limit_then_shares_again() {
    let Some(server) = RedisServer::start_with(&[]) else {
        return;
    };
    // One connection for both, so that both see Redis come back at the same moment.
    let shared = RedisRate::connect(&server.url()).await.unwrap();
    let (a, b) = (
        replica_with(shared.clone(), false),
        replica_with(shared, false),
    );
    for _ in 0..6 {
        assert_eq!(deliver(&a, ORIGIN).await.0, StatusCode::NO_CONTENT);
    }
    assert_refused(deliver(&b, ORIGIN).await);

    let port = server.stop();
    // Down: every delivery is admitted or refused by the replica's own limit, none lost to a
    // 5xx. Replica `a` admits its own six, then refuses.
    for _ in 0..6 {
        assert_eq!(deliver(&a, ORIGIN).await.0, StatusCode::NO_CONTENT);
    }
    assert_refused(deliver(&a, ORIGIN).await);

    let Ok(_restarted) = RedisServer::start_on(port, &[]) else {
        panic!("redis-server did not restart on port {port}");
    };
    // Back (empty, as it does not persist): `a`'s own limit is spent, so an admission of `a`
    // shows the shared grant again; the connection comes back by itself within a few tries.
    let mut shared_again = false;
    for _ in 0..30 {
        if deliver(&a, ORIGIN).await.0 == StatusCode::NO_CONTENT {
            shared_again = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(shared_again, "the shared grant did not come back");
    for _ in 0..5 {
        assert_eq!(deliver(&b, ORIGIN).await.0, StatusCode::NO_CONTENT);
    }
    // `b`'s own limit is untouched: this refusal is the shared grant's.
    assert_refused(deliver(&b, ORIGIN).await);
}
