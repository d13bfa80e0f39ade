//! What a verified token says: [`VerifiedToken`] (kept in the request's extensions), the default
//! claims type [`JwtClaims`] and the [`BearerClaims`] extractor that gives them to a handler.

use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::StatusCode;
use http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::rejection::Rejection;

/// The claims of a token whose signature and policy were verified.
#[derive(Debug)]
pub struct VerifiedToken {
    claims: Value,
    expires_at: u64,
}

impl VerifiedToken {
    /// Claims that are a JSON object with a numeric `exp`.
    pub(super) fn new(claims: Value) -> Option<Self> {
        let exp = claims.as_object()?.get("exp")?;
        let expires_at = exp.as_u64().or_else(|| {
            exp.as_f64()
                .filter(|e| e.is_finite() && *e >= 0.0)
                .map(|e| e as u64)
        })?;
        Some(Self { claims, expires_at })
    }

    /// All the claims, as sent.
    pub fn claims(&self) -> &Value {
        &self.claims
    }

    /// `exp`, in seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    fn text(&self, claim: &str) -> Option<&str> {
        self.claims.get(claim)?.as_str()
    }

    /// The application the token was issued to: `azp` (OAuth2 and Entra v2), else `appid`
    /// (Entra v1), else `client_id`, else `cid` (XSUAA).
    pub fn caller(&self) -> Option<&str> {
        ["azp", "appid", "client_id", "cid"]
            .into_iter()
            .find_map(|claim| self.text(claim))
    }

    /// Whether `roles` holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.claims
            .get("roles")
            .and_then(Value::as_array)
            .is_some_and(|roles| roles.iter().any(|r| r.as_str() == Some(role)))
    }

    /// Whether `scp` (Entra) or `scope` (OAuth2: a space-separated string; XSUAA: an array)
    /// holds `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        ["scp", "scope"]
            .into_iter()
            .any(|claim| match self.claims.get(claim) {
                Some(Value::String(list)) => list.split(' ').any(|s| s == scope),
                Some(Value::Array(list)) => list.iter().any(|s| s.as_str() == Some(scope)),
                _ => false,
            })
    }
}

/// The claims most receivers act on, as the default of [`BearerClaims`]. Unknown claims are
/// ignored; read them with your own type or from [`VerifiedToken::claims`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "RawClaims")]
#[non_exhaustive]
pub struct JwtClaims {
    /// `iss`.
    pub issuer: String,
    /// `sub`, if any.
    pub subject: Option<String>,
    /// `aud`, one or several.
    pub audiences: Vec<String>,
    /// `exp`, seconds since the Unix epoch.
    pub expires_at: u64,
    /// The application the token was issued to (`azp`, `appid`, `client_id` or `cid`).
    pub caller: Option<String>,
    /// The tenant or zone: `tid` (Entra) or `zid` (XSUAA).
    pub tenant: Option<String>,
    /// `scp` or `scope`, split into scopes.
    pub scopes: Vec<String>,
    /// `roles`.
    pub roles: Vec<String>,
}

/// A string or an array of strings (`aud`, XSUAA's `scope`).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self, separator: Option<char>) -> Vec<String> {
        match self {
            Self::One(one) => match separator {
                Some(separator) => one
                    .split(separator)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                None => vec![one],
            },
            Self::Many(many) => many,
        }
    }
}

#[derive(Deserialize)]
struct RawClaims {
    iss: String,
    sub: Option<String>,
    aud: OneOrMany,
    exp: f64,
    azp: Option<String>,
    appid: Option<String>,
    client_id: Option<String>,
    cid: Option<String>,
    tid: Option<String>,
    zid: Option<String>,
    scp: Option<OneOrMany>,
    scope: Option<OneOrMany>,
    #[serde(default)]
    roles: Vec<String>,
}

impl From<RawClaims> for JwtClaims {
    fn from(raw: RawClaims) -> Self {
        let mut scopes = Vec::new();
        for list in [raw.scp, raw.scope].into_iter().flatten() {
            scopes.extend(list.into_vec(Some(' ')));
        }
        Self {
            issuer: raw.iss,
            subject: raw.sub,
            audiences: raw.aud.into_vec(None),
            expires_at: raw.exp.max(0.0) as u64,
            caller: raw.azp.or(raw.appid).or(raw.client_id).or(raw.cid),
            tenant: raw.tid.or(raw.zid),
            scopes,
            roles: raw.roles,
        }
    }
}

/// The claims of the request's verified bearer token, as `C` ([`JwtClaims`] by default).
///
/// A handler parameter on a route with [`Config::with_jwt`](crate::Config::with_jwt). A request
/// authenticated otherwise (Basic on a route that accepts both, say) has no token: this extractor
/// then refuses it with 401, and `Option<BearerClaims<C>>` is `None`. A token whose claims do not
/// fit `C` is refused with 403: it does not carry what the endpoint needs.
///
/// ```
/// use webhook_runtime::auth::jwt::{BearerClaims, JwtClaims};
/// use webhook_runtime::{CloudEvent, webhook};
///
/// #[webhook(schema = cloudevents, origins = ["*"], sender = sap_event_mesh)]
/// async fn orders(event: CloudEvent, BearerClaims(caller): BearerClaims) {
///     println!("{} from {:?}", event.id(), caller.caller);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct BearerClaims<C = JwtClaims>(pub C);

impl<C: DeserializeOwned> BearerClaims<C> {
    fn from_parts(parts: &Parts) -> Option<Result<Self, Rejection>> {
        let token = parts.extensions.get::<Arc<VerifiedToken>>()?;
        Some(
            C::deserialize(token.claims()).map(Self).map_err(|_| {
                Rejection::forbidden("the bearer token lacks claims this endpoint needs")
            }),
        )
    }
}

impl<S: Send + Sync, C: DeserializeOwned> FromRequestParts<S> for BearerClaims<C> {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Rejection> {
        Self::from_parts(parts).unwrap_or_else(|| {
            Err(Rejection::new(
                StatusCode::UNAUTHORIZED,
                "this endpoint needs a verified bearer token",
            ))
        })
    }
}

impl<S: Send + Sync, C: DeserializeOwned> OptionalFromRequestParts<S> for BearerClaims<C> {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, Rejection> {
        Self::from_parts(parts).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn d24_scopes_roles_and_caller_in_each_issuers_shape() {
        let entra = VerifiedToken::new(json!({
            "exp": 10, "scp": "read write", "roles": ["AzureEventGridSecureWebhookSubscriber"],
            "appid": "v1-app"
        }))
        .unwrap();
        assert!(entra.has_scope("write") && !entra.has_scope("wri"));
        assert!(entra.has_role("AzureEventGridSecureWebhookSubscriber"));
        assert_eq!(entra.caller(), Some("v1-app"));
        let xsuaa = VerifiedToken::new(json!({
            "exp": 10.5, "scope": ["app!t1.deliver", "uaa.resource"], "cid": "sb-app", "azp": "sb-app2"
        }))
        .unwrap();
        assert!(xsuaa.has_scope("app!t1.deliver") && !xsuaa.has_role("x"));
        assert_eq!(xsuaa.caller(), Some("sb-app2"), "azp comes first");
        assert_eq!(xsuaa.expires_at(), 10);
        assert!(VerifiedToken::new(json!({"sub": "no exp"})).is_none());
        assert!(VerifiedToken::new(json!([1])).is_none());
    }

    #[test]
    fn d24_default_claims_read_both_shapes() {
        let claims: JwtClaims = serde_json::from_value(json!({
            "iss": "https://sts.windows.net/t/", "aud": "api://x", "exp": 5,
            "appid": "a", "tid": "t", "scp": "s1 s2", "roles": ["r"]
        }))
        .unwrap();
        assert_eq!(claims.audiences, ["api://x"]);
        assert_eq!(claims.scopes, ["s1", "s2"]);
        assert_eq!(claims.caller.as_deref(), Some("a"));
        assert_eq!(claims.tenant.as_deref(), Some("t"));
        let claims: JwtClaims = serde_json::from_value(json!({
            "iss": "i", "aud": ["a", "b"], "exp": 5, "scope": ["x.y"], "zid": "z"
        }))
        .unwrap();
        assert_eq!(claims.audiences, ["a", "b"]);
        assert_eq!(claims.scopes, ["x.y"]);
        assert_eq!(claims.tenant.as_deref(), Some("z"));
    }
}
