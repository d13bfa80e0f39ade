//! Bearer JWTs verified against the issuer's keys (feature `jwt`; protocol.md D24–D26).
//!
//! A [`JwtPolicy`] says which tokens a route accepts: the issuers, the audiences, the signing
//! algorithms (asymmetric only), the scopes, roles and callers required, and where the keys come
//! from. It has a preset per sender; [`JwtPolicy::build`] turns it into a [`JwtVerifier`], which a
//! route takes with [`Config::with_jwt`](crate::Config::with_jwt). The handler reads the verified
//! claims with the [`BearerClaims`] extractor.
//!
//! SAP Event Mesh, OAuth2 client credentials from the receiver's own XSUAA (the subscription
//! names its token URL; Event Mesh fetches a token there and sends it on the handshake and on
//! every delivery):
//!
//! ```
//! use webhook_runtime::auth::jwt::JwtPolicy;
//! use webhook_runtime::{CloudEventsConfig, Sender};
//!
//! let verifier = JwtPolicy::sap_xsuaa("https://acme.authentication.eu10.hana.ondemand.com", "orders!t42")
//!     .require_scope("orders!t42.deliver")
//!     .build()
//!     .unwrap();
//! let config = CloudEventsConfig::new().with_sender(Sender::SapEventMesh).with_jwt(verifier);
//! ```
//!
//! Azure Event Grid with Microsoft Entra ID (the token of Event Grid's own application, with the
//! app role `AzureEventGridSecureWebhookSubscriber`, for the webhook's app registration):
//!
//! ```
//! use webhook_runtime::auth::jwt::JwtPolicy;
//! use webhook_runtime::EventGridConfig;
//!
//! let verifier = JwtPolicy::entra_id_for_event_grid(
//!     "72f988bf-86f1-41af-91ab-2d7cd011db47",   // the tenant of the app registration
//!     "api://orders-webhook",                  // its application id URI ...
//! )
//! .audience("0b6a5f7e-0c56-4d2c-9c0d-4a7d7d1d6a11") // ... and its application (client) id
//! .build()
//! .unwrap();
//! let config = EventGridConfig::new().with_jwt(verifier);
//! ```
//!
//! Any other OpenID Connect issuer: [`JwtPolicy::oidc`].
//!
//! A verified token is remembered (by its SHA-256, until it expires, at most
//! [`DEFAULT_REMEMBERED_TOKENS`] of them): senders reuse a token until it expires, so a repeated
//! delivery costs a lookup rather than a signature check.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use jsonwebtoken::errors::ErrorKind;
use sha2::{Digest, Sha256};

use super::AuthVerdict;

mod claims;
mod keys;
mod memo;
mod presets;

pub use self::claims::{BearerClaims, JwtClaims, VerifiedToken};
pub use self::keys::{KeySet, KeySource};
pub use self::presets::{
    EVENT_GRID_APP_ID, EVENT_GRID_APP_ID_US_GOVERNMENT, EVENT_GRID_ROLE, EntraCloud,
};

use self::keys::{KeyCache, KeyLookup};
use self::memo::TokenMemo;

/// Clock skew allowed on `exp` and `nbf` by default: 60 s.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// How long a fetched key set is used before it is fetched again: 1 h.
pub const DEFAULT_KEY_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// The least time between two fetches of the key set (for unknown `kid`s, or after a failure):
/// 30 s.
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// How many verified tokens are remembered: 10,000.
pub const DEFAULT_REMEMBERED_TOKENS: usize = 10_000;

/// The longest bearer token looked at; longer ones are refused unread.
const MAX_TOKEN: usize = 16 * 1024;

/// An asymmetric JWS signing algorithm. HMAC algorithms are not among them: a receiver that
/// verified HMAC tokens with the issuer's public key as the secret would accept tokens anyone
/// can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(
    missing_docs,
    reason = "the names are the registered JWS algorithm names"
)]
pub enum SigningAlgorithm {
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    EdDSA,
}

impl SigningAlgorithm {
    fn jws(self) -> Algorithm {
        match self {
            Self::RS256 => Algorithm::RS256,
            Self::RS384 => Algorithm::RS384,
            Self::RS512 => Algorithm::RS512,
            Self::PS256 => Algorithm::PS256,
            Self::PS384 => Algorithm::PS384,
            Self::PS512 => Algorithm::PS512,
            Self::ES256 => Algorithm::ES256,
            Self::ES384 => Algorithm::ES384,
            Self::EdDSA => Algorithm::EdDSA,
        }
    }
}

/// A policy that cannot be built into a verifier (a URL that is not https, no audience...).
///
/// ```
/// # use webhook_runtime::auth::jwt::JwtPolicy;
/// assert!(JwtPolicy::oidc("http://issuer.example.com", "orders").build().is_err()); // not https
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtConfigError(String);

impl JwtConfigError {
    fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }
}

impl fmt::Display for JwtConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JwtConfigError {}

/// Which bearer tokens a route accepts. Build it into a [`JwtVerifier`] with
/// [`build`](Self::build).
///
/// ```
/// # use webhook_runtime::auth::jwt::JwtPolicy;
/// let verifier = JwtPolicy::oidc("https://issuer.example.com", "orders").require_role("Deliver").build().unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct JwtPolicy {
    issuers: Vec<String>,
    audiences: Vec<String>,
    keys: Option<KeySource>,
    algorithms: Vec<SigningAlgorithm>,
    leeway: Duration,
    scopes: Vec<String>,
    roles: Vec<String>,
    callers: Vec<String>,
    key_lifetime: Duration,
    refresh_interval: Duration,
    remembered: usize,
    /// A preset argument found unusable, reported by `build`.
    problem: Option<String>,
}

impl JwtPolicy {
    /// Tokens of any OpenID Connect issuer: `iss` is `issuer`, `aud` holds `audience`, keys by
    /// discovery from the issuer. RS256 only unless [`algorithms`](Self::algorithms) says more.
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::JwtPolicy;
    /// assert!(JwtPolicy::oidc("https://issuer.example.com", "").build().is_err());
    /// ```
    pub fn oidc(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuers: vec![issuer.into()],
            audiences: vec![audience.into()],
            keys: None,
            algorithms: vec![SigningAlgorithm::RS256],
            leeway: DEFAULT_LEEWAY,
            scopes: Vec::new(),
            roles: Vec::new(),
            callers: Vec::new(),
            key_lifetime: DEFAULT_KEY_LIFETIME,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            remembered: DEFAULT_REMEMBERED_TOKENS,
            problem: None,
        }
    }

    /// Also accepts this issuer.
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::JwtPolicy;
    /// let moving = JwtPolicy::oidc("https://old.example.com", "orders").issuer("https://new.example.com");
    /// ```
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Also accepts this audience (`aud` must hold one of them).
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::JwtPolicy;
    /// let policy = JwtPolicy::oidc("https://issuer.example.com", "api://orders").audience("0b6a5f7e");
    /// ```
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Where the keys come from, instead of the preset's (discovery from the first issuer for
    /// [`oidc`](Self::oidc)).
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::{JwtPolicy, KeySource};
    /// let policy = JwtPolicy::oidc("https://issuer.example.com", "orders").keys(KeySource::jwks_url("https://keys.example.com/jwks.json"));
    /// ```
    pub fn keys(mut self, source: KeySource) -> Self {
        self.keys = Some(source);
        self
    }

    /// The accepted signing algorithms (default RS256, what Entra ID, XSUAA and SAP Cloud
    /// Identity sign with).
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::{JwtPolicy, SigningAlgorithm};
    /// let elliptic = JwtPolicy::oidc("https://issuer.example.com", "orders").algorithms([SigningAlgorithm::ES256]);
    /// ```
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = SigningAlgorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Clock skew allowed on `exp` and `nbf` (default [`DEFAULT_LEEWAY`]).
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::JwtPolicy;
    /// let policy = JwtPolicy::oidc("https://issuer.example.com", "orders").leeway(std::time::Duration::from_secs(5));
    /// ```
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Requires this scope (in `scp` or `scope`, a space-separated string or an array); each
    /// required scope must be there. A token without it is answered 403.
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::JwtPolicy;
    /// let policy = JwtPolicy::sap_xsuaa("https://acme.example.com", "orders!t42").require_scope("orders!t42.deliver");
    /// ```
    pub fn require_scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Requires this role (in `roles`); each required role must be there (403 otherwise).
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::JwtPolicy;
    /// let policy = JwtPolicy::oidc("https://issuer.example.com", "orders").require_role("Orders.Deliver");
    /// ```
    pub fn require_role(mut self, role: impl Into<String>) -> Self {
        self.roles.push(role.into());
        self
    }

    /// The applications allowed to call (`azp`, else `appid`, else `client_id`, else `cid`),
    /// replacing the preset's; empty allows any. Another caller is answered 403.
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::{EVENT_GRID_APP_ID, JwtPolicy};
    /// let public_cloud_only = JwtPolicy::entra_id_for_event_grid("contoso.com", "api://orders").callers([EVENT_GRID_APP_ID]);
    /// ```
    pub fn callers<I: IntoIterator<Item = T>, T: Into<String>>(mut self, callers: I) -> Self {
        self.callers = callers.into_iter().map(Into::into).collect();
        self
    }

    /// How long a fetched key set is used (default [`DEFAULT_KEY_LIFETIME`]).
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::JwtPolicy;
    /// let policy = JwtPolicy::oidc("https://issuer.example.com", "orders").key_lifetime(std::time::Duration::from_secs(15 * 60));
    /// ```
    pub fn key_lifetime(mut self, lifetime: Duration) -> Self {
        self.key_lifetime = lifetime;
        self
    }

    /// The least time between two fetches of the key set (default
    /// [`DEFAULT_REFRESH_INTERVAL`]): a token with an unknown `kid` fetches it only if the last
    /// fetch is older.
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::JwtPolicy;
    /// let policy = JwtPolicy::oidc("https://issuer.example.com", "orders").refresh_interval(std::time::Duration::from_secs(120));
    /// ```
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// How many verified tokens are remembered (default [`DEFAULT_REMEMBERED_TOKENS`]; 0 checks
    /// every token's signature).
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::JwtPolicy;
    /// let every_signature_checked = JwtPolicy::oidc("https://issuer.example.com", "orders").remember(0);
    /// ```
    pub fn remember(mut self, tokens: usize) -> Self {
        self.remembered = tokens;
        self
    }

    /// The verifier of this policy; its keys are fetched on the first token.
    ///
    /// ```
    /// # use webhook_runtime::auth::jwt::JwtPolicy;
    /// assert!(JwtPolicy::entra_id_for_event_grid("contoso/evil", "api://orders").build().is_err());
    /// ```
    pub fn build(self) -> Result<JwtVerifier, JwtConfigError> {
        if let Some(problem) = self.problem {
            return Err(JwtConfigError::new(problem));
        }
        let non_empty = |values: &[String], what: &str| {
            if values.is_empty() || values.iter().any(|v| v.trim().is_empty()) {
                Err(JwtConfigError::new(format!(
                    "a token policy needs at least one {what}, and no empty one"
                )))
            } else {
                Ok(())
            }
        };
        non_empty(&self.issuers, "issuer")?;
        non_empty(&self.audiences, "audience")?;
        if self.algorithms.is_empty() {
            return Err(JwtConfigError::new("a token policy needs an algorithm"));
        }
        let source = match self.keys {
            Some(source) => source,
            None => KeySource::discovery(self.issuers[0].clone()),
        };
        let keys = KeyCache::new(source, self.key_lifetime, self.refresh_interval)?;
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.set_issuer(&self.issuers);
        validation.set_audience(&self.audiences);
        validation.leeway = self.leeway.as_secs();
        validation.validate_nbf = true;
        let validations = self
            .algorithms
            .iter()
            .map(|algorithm| {
                let mut validation = validation.clone();
                validation.algorithms = vec![algorithm.jws()];
                (algorithm.jws(), validation)
            })
            .collect();
        Ok(JwtVerifier(Arc::new(Verifier {
            issuers: self.issuers,
            audiences: self.audiences,
            validations,
            leeway: self.leeway.as_secs(),
            scopes: self.scopes,
            roles: self.roles,
            callers: self.callers,
            keys,
            memo: TokenMemo::new(self.remembered),
        })))
    }
}

/// Verifies bearer JWTs by a [`JwtPolicy`]; cheap to clone (the key cache and the remembered
/// tokens are shared).
///
/// ```
/// # use webhook_runtime::auth::jwt::JwtPolicy;
/// let for_two_routes = JwtPolicy::oidc("https://issuer.example.com", "orders").build().unwrap().clone();
/// ```
#[derive(Clone)]
pub struct JwtVerifier(Arc<Verifier>);

struct Verifier {
    issuers: Vec<String>,
    audiences: Vec<String>,
    /// One validation per accepted algorithm (the crate checks the header's `alg` against it).
    validations: Vec<(Algorithm, jsonwebtoken::Validation)>,
    leeway: u64,
    scopes: Vec<String>,
    roles: Vec<String>,
    callers: Vec<String>,
    keys: KeyCache,
    memo: TokenMemo,
}

/// Why a token was refused, and what the request is answered ([`AuthVerdict`]). The reason
/// names the check that failed, never a claim's value.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # let verifier = webhook_runtime::auth::jwt::JwtPolicy::oidc("https://issuer.example.com", "orders").build().unwrap();
/// let refusal = verifier.verify("not-a-jwt").await.unwrap_err();
/// assert_eq!(refusal.verdict(), webhook_runtime::auth::AuthVerdict::Unauthenticated);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRefusal {
    verdict: AuthVerdict,
    reason: &'static str,
}

impl TokenRefusal {
    fn unauthenticated(reason: &'static str) -> Self {
        Self {
            verdict: AuthVerdict::Unauthenticated,
            reason,
        }
    }

    fn forbidden(reason: &'static str) -> Self {
        Self {
            verdict: AuthVerdict::Forbidden,
            reason,
        }
    }

    /// The answer: 401, 403 or 503.
    pub fn verdict(&self) -> AuthVerdict {
        self.verdict
    }

    /// A short plain-text reason.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for TokenRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)
    }
}

impl std::error::Error for TokenRefusal {}

impl JwtVerifier {
    /// Verifies a bearer token: its signature, then the policy's claims. A token verified
    /// before and not yet expired is taken from memory.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let verifier = webhook_runtime::auth::jwt::JwtPolicy::oidc("https://issuer.example.com", "orders").build().unwrap();
    /// assert!(verifier.verify("not-a-jwt").await.is_err());
    /// # });
    /// ```
    pub async fn verify(&self, token: &str) -> Result<Arc<VerifiedToken>, TokenRefusal> {
        match self.remembered(token)? {
            Ok(known) => Ok(known),
            Err(digest) => self.verify_new(token, digest).await,
        }
    }

    /// The token from memory (`Ok(Ok)`), or its digest when it must be verified (`Ok(Err)`).
    /// Apart from [`verify_new`](Self::verify_new) so that a route awaits (and boxes) the
    /// signature check only for a token it has not seen.
    pub(crate) fn remembered(
        &self,
        token: &str,
    ) -> Result<Result<Arc<VerifiedToken>, [u8; 32]>, TokenRefusal> {
        if token.len() > MAX_TOKEN {
            return Err(TokenRefusal::unauthenticated(
                "the bearer token is too long",
            ));
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = jsonwebtoken::get_current_timestamp();
        Ok(self.0.memo.get(&digest, now).ok_or(digest))
    }

    /// Verifies a token not in memory, and remembers it.
    pub(crate) async fn verify_new(
        &self,
        token: &str,
        digest: [u8; 32],
    ) -> Result<Arc<VerifiedToken>, TokenRefusal> {
        let verifier = &*self.0;
        let verified = verifier.verify_signed(token).await?;
        verifier.check_policy(&verified)?;
        let verified = Arc::new(verified);
        let deadline = verified.expires_at().saturating_add(verifier.leeway);
        let now = jsonwebtoken::get_current_timestamp();
        verifier
            .memo
            .insert(digest, deadline, now, verified.clone());
        Ok(verified)
    }
}

impl Verifier {
    /// The signature and the registered claims (`iss`, `aud`, `exp`, `nbf`).
    async fn verify_signed(&self, token: &str) -> Result<VerifiedToken, TokenRefusal> {
        // `alg: none` and unknown algorithms fail here: the crate's header type has no such
        // algorithm.
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            TokenRefusal::unauthenticated(
                "the bearer token is not a JWT signed with an asymmetric algorithm",
            )
        })?;
        let Some((_, validation)) = self.validations.iter().find(|(a, _)| *a == header.alg) else {
            return Err(TokenRefusal::unauthenticated(
                "the token's signing algorithm is not accepted here",
            ));
        };
        let key = match self.keys.find(header.kid.as_deref()).await {
            KeyLookup::Found(key) => key,
            KeyLookup::Unknown => {
                return Err(TokenRefusal::unauthenticated(
                    "the token's signing key (kid) is not one of the issuer's",
                ));
            }
            KeyLookup::Unavailable { retry_after } => {
                return Err(TokenRefusal {
                    verdict: AuthVerdict::Unavailable { retry_after },
                    reason: "the issuer's signing keys cannot be fetched now: retry later",
                });
            }
        };
        if key.algorithm.is_some_and(|a| a != header.alg) {
            return Err(TokenRefusal::unauthenticated(
                "the token's algorithm is not the one of its key",
            ));
        }
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key.key, validation)
            .map_err(|e| TokenRefusal::unauthenticated(refusal_reason(e.kind())))?;
        VerifiedToken::new(data.claims).ok_or_else(|| {
            TokenRefusal::unauthenticated("the token's claims are not a JSON object with exp")
        })
    }

    /// Callers, roles and scopes: a token that proves who it is but may not do this gets 403.
    fn check_policy(&self, token: &VerifiedToken) -> Result<(), TokenRefusal> {
        if !self.callers.is_empty()
            && !token
                .caller()
                .is_some_and(|caller| self.callers.iter().any(|c| c == caller))
        {
            return Err(TokenRefusal::forbidden(
                "the token was issued to an application that may not call this endpoint",
            ));
        }
        if !self.roles.iter().all(|role| token.has_role(role)) {
            return Err(TokenRefusal::forbidden("the token lacks a required role"));
        }
        if !self.scopes.iter().all(|scope| token.has_scope(scope)) {
            return Err(TokenRefusal::forbidden("the token lacks a required scope"));
        }
        Ok(())
    }
}

/// The reason for a failed check of the crate, naming the claim, never its value.
fn refusal_reason(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired (exp)",
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)",
        ErrorKind::InvalidIssuer => "the token's issuer (iss) is not accepted here",
        ErrorKind::InvalidAudience => "the token's audience (aud) is not this endpoint",
        ErrorKind::InvalidSignature => "the token's signature does not verify",
        ErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
            "exp" => "the token has no expiry (exp)",
            "iss" => "the token has no issuer (iss)",
            _ => "the token has no audience (aud)",
        },
        ErrorKind::InvalidClaimFormat(_) => "a registered claim of the token is malformed",
        ErrorKind::InvalidAlgorithm => "the token's algorithm does not fit its key",
        _ => "the bearer token is not a valid JWT",
    }
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verifier = &*self.0;
        f.debug_struct("JwtVerifier")
            .field("issuers", &verifier.issuers)
            .field("audiences", &verifier.audiences)
            .field("scopes", &verifier.scopes)
            .field("roles", &verifier.roles)
            .field("callers", &verifier.callers)
            .finish_non_exhaustive()
    }
}
