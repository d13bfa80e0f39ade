//! A token policy from configuration variables (D10), for `Config::with_vars` (feature `jwt`).

use super::ConfigError;
use crate::auth::jwt::{EntraCloud, JwtPolicy, KeySource};

/// The policy the variables describe, if any: one issuer family (`OIDC_*`, `ENTRA_*` or
/// `XSUAA_*`), each needing its issuer and audience; `JWKS_URL` replaces where keys come from.
pub(crate) fn policy(
    prefix: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<JwtPolicy>, ConfigError> {
    let name = |suffix: &str| format!("{prefix}_{suffix}");
    let value = |suffix: &str| {
        lookup(&name(suffix))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let list = |suffix: &str| -> Vec<String> {
        value(suffix)
            .map(|v| {
                v.split([',', ' '])
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let needed = |suffix: &str, with: &str| {
        value(suffix).ok_or_else(|| {
            ConfigError::new(&name(suffix), format!("is needed with {}", name(with)))
        })
    };
    let families = [
        value("OIDC_ISSUER").is_some() || value("OIDC_AUDIENCE").is_some(),
        value("ENTRA_TENANT").is_some() || value("ENTRA_AUDIENCE").is_some(),
        value("XSUAA_URL").is_some() || value("XSUAA_AUDIENCE").is_some(),
    ];
    if families.iter().filter(|f| **f).count() > 1 {
        return Err(ConfigError::new(
            &name("OIDC_ISSUER"),
            "only one of the OIDC_*, ENTRA_* and XSUAA_* families may be set",
        ));
    }
    let (policy, audiences, scopes) = if families[0] {
        let issuer = needed("OIDC_ISSUER", "OIDC_AUDIENCE")?;
        let audiences = list("OIDC_AUDIENCE");
        let first = audiences.first().cloned().ok_or_else(|| {
            ConfigError::new(
                &name("OIDC_AUDIENCE"),
                format!("is needed with {}", name("OIDC_ISSUER")),
            )
        })?;
        (
            JwtPolicy::oidc(issuer, first),
            audiences,
            list("OIDC_SCOPE"),
        )
    } else if families[1] {
        let tenant = needed("ENTRA_TENANT", "ENTRA_AUDIENCE")?;
        let audiences = list("ENTRA_AUDIENCE");
        let first = audiences.first().cloned().ok_or_else(|| {
            ConfigError::new(
                &name("ENTRA_AUDIENCE"),
                format!("is needed with {}", name("ENTRA_TENANT")),
            )
        })?;
        let cloud = match value("ENTRA_CLOUD") {
            Some(cloud) => cloud
                .parse::<EntraCloud>()
                .map_err(|e| ConfigError::new(&name("ENTRA_CLOUD"), e))?,
            None => EntraCloud::Public,
        };
        (
            JwtPolicy::entra_id_for_event_grid_in(cloud, &tenant, first),
            audiences,
            Vec::new(),
        )
    } else if families[2] {
        let url = needed("XSUAA_URL", "XSUAA_AUDIENCE")?;
        let audiences = list("XSUAA_AUDIENCE");
        let first = audiences.first().cloned().ok_or_else(|| {
            ConfigError::new(
                &name("XSUAA_AUDIENCE"),
                format!("is needed with {}", name("XSUAA_URL")),
            )
        })?;
        (
            JwtPolicy::sap_xsuaa(&url, first),
            audiences,
            list("XSUAA_SCOPE"),
        )
    } else {
        for suffix in ["OIDC_SCOPE", "ENTRA_CLOUD", "XSUAA_SCOPE", "JWKS_URL"] {
            if value(suffix).is_some() {
                return Err(ConfigError::new(
                    &name(suffix),
                    "is set without an issuer (OIDC_*, ENTRA_* or XSUAA_*)",
                ));
            }
        }
        return Ok(None);
    };
    let mut policy = audiences
        .into_iter()
        .skip(1)
        .fold(policy, JwtPolicy::audience);
    policy = scopes.into_iter().fold(policy, JwtPolicy::require_scope);
    if let Some(url) = value("JWKS_URL") {
        policy = policy.keys(KeySource::jwks_url(url));
    }
    Ok(Some(policy))
}
