//! The issuer's signing keys: where they come from ([`KeySource`]) and the cache that holds them
//! (D24).
//!
//! The cache keeps a key set for a lifetime, then reloads it on the next token. A `kid` it does
//! not know reloads the set too, but at most once per refresh interval: a flood of tokens with
//! forged `kid`s costs the key server one request per interval, not one per token. While a reload
//! fails the keys already known keep working; a token whose key is not among them gets
//! [`KeyLookup::Unavailable`] (503 with `Retry-After`, D25), so a key-server outage delays
//! deliveries instead of refusing them for good.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

use super::JwtConfigError;
use crate::auth::fetch_url::{FetchUrlError, https_or_loopback};

/// The largest discovery document or key set read (Entra's key set is ~10 KiB).
const MAX_DOCUMENT: usize = 512 * 1024;

/// Where a verifier gets the issuer's public keys.
///
/// ```
/// use webhook_runtime::auth::jwt::{JwtPolicy, KeySource};
///
/// let policy = JwtPolicy::oidc("https://issuer.example.com", "orders")
///     .keys(KeySource::discovery("https://issuer.example.com"));
/// assert!(policy.build().is_ok());
/// ```
#[derive(Clone)]
pub enum KeySource {
    /// OpenID Connect discovery: `<issuer>/.well-known/openid-configuration` names the key set
    /// (`jwks_uri`); the document's `issuer` must be this issuer.
    Discovery(String),
    /// A JWKS URL, read directly.
    JwksUrl(String),
    /// Keys given once (a JWKS document), never reloaded.
    Keys(Arc<KeySet>),
}

impl KeySource {
    /// OpenID Connect discovery from the issuer URL (https, or http on a loopback host).
    ///
    /// ```
    /// use webhook_runtime::auth::jwt::{JwtPolicy, KeySource};
    ///
    /// // A test issuer on this machine may use plain http.
    /// let keys = KeySource::discovery("http://127.0.0.1:8080/issuer");
    /// assert!(JwtPolicy::oidc("http://127.0.0.1:8080/issuer", "orders").keys(keys).build().is_ok());
    /// ```
    pub fn discovery(issuer: impl Into<String>) -> Self {
        Self::Discovery(issuer.into())
    }

    /// A JWKS URL (https, or http on a loopback host).
    ///
    /// ```
    /// use webhook_runtime::auth::jwt::{JwtPolicy, KeySource};
    ///
    /// let keys = KeySource::jwks_url("http://keys.example.com/jwks.json");
    /// assert!(JwtPolicy::oidc("https://issuer.example.com", "orders").keys(keys).build().is_err());
    /// ```
    pub fn jwks_url(url: impl Into<String>) -> Self {
        Self::JwksUrl(url.into())
    }

    /// The keys of a JWKS document (`{"keys": [...]}`), e.g. from a file.
    ///
    /// ```
    /// use webhook_runtime::auth::jwt::KeySource;
    ///
    /// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// assert!(KeySource::jwks(jwks).is_ok());
    /// // A set without a usable key would refuse every token.
    /// assert!(KeySource::jwks(r#"{"keys": []}"#).is_err());
    /// ```
    pub fn jwks(document: &str) -> Result<Self, JwtConfigError> {
        let set = KeySet::parse(document.as_bytes()).map_err(JwtConfigError::new)?;
        if set.is_empty() {
            return Err(JwtConfigError::new(
                "the JWKS holds no public signing key this verifier can use",
            ));
        }
        Ok(Self::Keys(Arc::new(set)))
    }

    /// Refuses a URL that is not https, unless its host is a loopback address (tests).
    pub(super) fn check(&self) -> Result<(), JwtConfigError> {
        match self {
            Self::Discovery(url) | Self::JwksUrl(url) => check_url(url),
            Self::Keys(_) => Ok(()),
        }
    }
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Discovery(url) => f.debug_tuple("Discovery").field(url).finish(),
            Self::JwksUrl(url) => f.debug_tuple("JwksUrl").field(url).finish(),
            Self::Keys(set) => write!(f, "Keys({} keys)", set.len()),
        }
    }
}

/// Keys are fetched over https only; plain http is allowed to loopback hosts, where tests run
/// their issuers (the rule of `auth::fetch_url`, shared with the testing kit).
pub(super) fn check_url(url: &str) -> Result<(), JwtConfigError> {
    match https_or_loopback(url) {
        Ok(_) => Ok(()),
        Err(error @ FetchUrlError::NotAUrl(_)) => {
            Err(JwtConfigError::new(format!("{url:?} is {error}")))
        }
        Err(FetchUrlError::NotSecure) => Err(JwtConfigError::new(format!(
            "{url:?}: keys are fetched over https only (plain http only from a loopback host)"
        ))),
    }
}

/// A public key and the algorithm its JWK names, if any.
pub(crate) struct VerificationKey {
    pub(crate) key: DecodingKey,
    pub(crate) algorithm: Option<Algorithm>,
}

/// The usable keys of a JWKS, by `kid`; keys without a `kid` apart.
///
/// ```
/// use webhook_runtime::auth::jwt::KeySource;
///
/// let source = KeySource::jwks(r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#).unwrap();
/// assert_eq!(format!("{source:?}"), "Keys(1 keys)");
/// ```
#[derive(Default)]
pub struct KeySet {
    by_kid: HashMap<String, Arc<VerificationKey>>,
    without_kid: Vec<Arc<VerificationKey>>,
}

/// The shape of a JWKS, each key kept raw so that one key of a type this crate does not know
/// does not make the whole set unreadable.
#[derive(Deserialize)]
struct RawKeySet {
    keys: Vec<serde_json::Value>,
}

impl KeySet {
    /// The asymmetric signing keys of a JWKS document. Keys for encryption (`use: enc`),
    /// symmetric keys (`kty: oct`: a secret has no place in a public key set, and accepting one
    /// would let HMAC tokens in) and keys this crate cannot read are left out.
    fn parse(document: &[u8]) -> Result<Self, String> {
        let raw: RawKeySet = serde_json::from_slice(document)
            .map_err(|e| format!("the key set is not a JWKS document: {e}"))?;
        let mut set = Self::default();
        for value in raw.keys {
            let Ok(jwk) = serde_json::from_value::<Jwk>(value) else {
                continue;
            };
            if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature)
                || matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_))
            {
                continue;
            }
            let Ok(key) = DecodingKey::from_jwk(&jwk) else {
                continue;
            };
            let algorithm = jwk.common.key_algorithm.and_then(signing_algorithm);
            let key = Arc::new(VerificationKey { key, algorithm });
            match jwk.common.key_id {
                Some(kid) => {
                    set.by_kid.insert(kid, key);
                }
                None => set.without_kid.push(key),
            }
        }
        Ok(set)
    }

    fn len(&self) -> usize {
        self.by_kid.len() + self.without_kid.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key for a token's `kid`. A token without one is accepted only when the set has a
    /// single key that has none either: anything else would mean trying keys in turn.
    fn find(&self, kid: Option<&str>) -> Option<Arc<VerificationKey>> {
        match kid {
            Some(kid) => self.by_kid.get(kid).cloned(),
            None if self.by_kid.is_empty() && self.without_kid.len() == 1 => {
                self.without_kid.first().cloned()
            }
            None => None,
        }
    }
}

/// A JWK's `alg`, when it names a signing algorithm.
fn signing_algorithm(algorithm: KeyAlgorithm) -> Option<Algorithm> {
    algorithm.to_string().parse().ok()
}

/// What the cache found for a token's `kid`.
pub(crate) enum KeyLookup {
    Found(Arc<VerificationKey>),
    /// The issuer's current key set (fetched successfully) has no such key.
    Unknown,
    /// No key for it, and the key set could not be fetched lately: try again later.
    Unavailable {
        retry_after: Duration,
    },
}

/// The state a reload changes.
struct Loaded {
    keys: Arc<KeySet>,
    /// When the keys were last fetched successfully.
    fetched_at: Option<Instant>,
    /// When a fetch was last tried, and whether it failed.
    attempted_at: Option<Instant>,
    failed: bool,
}

/// The key cache of one verifier.
pub(crate) struct KeyCache {
    source: KeySource,
    client: reqwest::Client,
    lifetime: Duration,
    refresh_interval: Duration,
    loaded: RwLock<Loaded>,
    /// Held while a fetch runs, so concurrent tokens with unknown `kid`s share one fetch.
    fetching: tokio::sync::Mutex<()>,
}

impl KeyCache {
    pub(crate) fn new(
        source: KeySource,
        lifetime: Duration,
        refresh_interval: Duration,
    ) -> Result<Self, JwtConfigError> {
        source.check()?;
        let keys = match &source {
            KeySource::Keys(set) => set.clone(),
            _ => Arc::default(),
        };
        let no_client =
            |e: String| JwtConfigError::new(format!("no HTTP client for the key server: {e}"));
        // Redirects are not followed: one could lead to plain http; the URLs are checked, their
        // targets would not be.
        let client = crate::http_client::builder(&[])
            .map_err(no_client)?
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| no_client(e.to_string()))?;
        Ok(Self {
            source,
            client,
            lifetime,
            refresh_interval,
            loaded: RwLock::new(Loaded {
                keys,
                fetched_at: None,
                attempted_at: None,
                failed: false,
            }),
            fetching: tokio::sync::Mutex::new(()),
        })
    }

    fn is_remote(&self) -> bool {
        !matches!(self.source, KeySource::Keys(_))
    }

    /// The key for a token's `kid`, reloading the key set when it is stale or lacks the `kid`
    /// (no more than once per refresh interval).
    pub(crate) async fn find(&self, kid: Option<&str>) -> KeyLookup {
        let (known, stale) = {
            let loaded = self.read();
            let stale = self.is_remote()
                && loaded
                    .fetched_at
                    .is_none_or(|at| at.elapsed() >= self.lifetime);
            (loaded.keys.find(kid), stale)
        };
        if let Some(key) = &known
            && !stale
        {
            return KeyLookup::Found(key.clone());
        }
        if self.is_remote() {
            self.reload_if_due().await;
        }
        let loaded = self.read();
        if let Some(key) = loaded.keys.find(kid) {
            return KeyLookup::Found(key);
        }
        if loaded.failed || (self.is_remote() && loaded.fetched_at.is_none()) {
            let waited = loaded
                .attempted_at
                .map_or(Duration::ZERO, |at| at.elapsed());
            let retry_after = self
                .refresh_interval
                .saturating_sub(waited)
                .max(Duration::from_secs(1));
            return KeyLookup::Unavailable { retry_after };
        }
        KeyLookup::Unknown
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Loaded> {
        self.loaded
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Fetches the key set unless a fetch was tried within the refresh interval. The lock makes
    /// concurrent callers wait for one fetch and then find it recent.
    async fn reload_if_due(&self) {
        let _fetching = self.fetching.lock().await;
        if self
            .read()
            .attempted_at
            .is_some_and(|at| at.elapsed() < self.refresh_interval)
        {
            return;
        }
        let started = Instant::now();
        let fetched = self.fetch().await;
        let mut loaded = self
            .loaded
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        loaded.attempted_at = Some(started);
        match fetched {
            Ok(keys) => {
                loaded.keys = Arc::new(keys);
                loaded.fetched_at = Some(started);
                loaded.failed = false;
            }
            Err(error) => {
                // The URL and the reason only: nothing of a token is known here.
                tracing::warn!(source = ?self.source, %error, "the issuer's key set could not be fetched");
                loaded.failed = true;
            }
        }
    }

    async fn fetch(&self) -> Result<KeySet, String> {
        let jwks_url = match &self.source {
            KeySource::Discovery(issuer) => self.discover(issuer).await?,
            KeySource::JwksUrl(url) => url.clone(),
            KeySource::Keys(_) => return Err("the keys were given, not fetched".to_owned()),
        };
        KeySet::parse(&self.get(&jwks_url).await?)
    }

    /// The `jwks_uri` of the issuer's discovery document.
    async fn discover(&self, issuer: &str) -> Result<String, String> {
        #[derive(Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let document: Discovery = serde_json::from_slice(&self.get(&url).await?)
            .map_err(|e| format!("{url}: not an OpenID Connect discovery document: {e}"))?;
        // OpenID Connect Discovery §4.3: the document must name the issuer it was found under.
        if document.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
            return Err(format!(
                "{url} names the issuer {:?}, not {issuer:?}",
                document.issuer
            ));
        }
        check_url(&document.jwks_uri).map_err(|e| e.to_string())?;
        Ok(document.jwks_uri)
    }

    /// The body of a 200 answer to a GET, at most [`MAX_DOCUMENT`] bytes.
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut response = self
            .client
            .get(url)
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        if response.status() != http::StatusCode::OK {
            return Err(format!("{url}: answered {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| format!("{url}: {e}"))? {
            if body.len() + chunk.len() > MAX_DOCUMENT {
                return Err(format!("{url}: larger than {MAX_DOCUMENT} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RSA public key of 2048 bits (the modulus of a throwaway test key), as a JWK.
    const RSA_N: &str = "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw";

    fn jwk(kid: Option<&str>, extra: &str) -> String {
        let kid = kid.map(|k| format!(r#""kid":"{k}","#)).unwrap_or_default();
        format!(r#"{{{kid}"kty":"RSA","n":"{RSA_N}","e":"AQAB"{extra}}}"#)
    }

    #[test]
    fn d24_a_key_set_keeps_only_asymmetric_signing_keys() {
        let document = format!(
            r#"{{"keys":[{},{},{},{{"kty":"oct","kid":"secret","k":"c2VjcmV0"}},{{"kty":"unknown","kid":"odd"}}]}}"#,
            jwk(Some("a"), r#","alg":"RS256","use":"sig""#),
            jwk(Some("enc"), r#","use":"enc""#),
            jwk(Some("b"), ""),
        );
        let set = KeySet::parse(document.as_bytes()).unwrap();
        assert!(set.find(Some("a")).is_some());
        assert_eq!(
            set.find(Some("a")).unwrap().algorithm,
            Some(Algorithm::RS256)
        );
        assert!(set.find(Some("b")).is_some_and(|k| k.algorithm.is_none()));
        assert!(set.find(Some("enc")).is_none());
        assert!(
            set.find(Some("secret")).is_none(),
            "an HMAC secret is never a key"
        );
        assert!(set.find(Some("odd")).is_none());
        assert!(set.find(None).is_none(), "no kid, several keys: no guess");
        assert!(KeySet::parse(b"{\"nokeys\":1}").is_err());
    }

    #[test]
    fn d24_a_token_without_kid_uses_the_only_key_without_kid() {
        let document = format!(r#"{{"keys":[{}]}}"#, jwk(None, ""));
        let set = KeySet::parse(document.as_bytes()).unwrap();
        assert!(set.find(None).is_some());
        assert!(set.find(Some("x")).is_none());
    }

    #[test]
    fn d24_keys_are_fetched_over_https_or_from_loopback_only() {
        for ok in [
            "https://login.microsoftonline.com/t/v2.0",
            "http://127.0.0.1:8080/jwks",
            "http://[::1]:9/jwks",
            "http://localhost/x",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://issuer.example.com",
            "http://10.0.0.1/jwks",
            "ftp://x",
            "not a url",
        ] {
            assert!(check_url(refused).is_err(), "{refused}");
        }
    }
}
