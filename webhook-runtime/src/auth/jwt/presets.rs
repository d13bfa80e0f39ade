//! What each sender's tokens look like (D24): Microsoft Entra ID for Event Grid, SAP's XSUAA and
//! SAP Cloud Identity for Event Mesh. Each is a [`JwtPolicy`] whose parts can still be changed.

use super::{JwtPolicy, KeySource};

/// Event Grid's first-party application in the public Azure cloud: the caller (`appid` in v1
/// tokens, `azp` in v2) of its Entra ID tokens.
pub const EVENT_GRID_APP_ID: &str = "4962773b-9cdb-44cf-a8bf-237846a00ab7";
/// Event Grid's first-party application in Azure Government.
pub const EVENT_GRID_APP_ID_US_GOVERNMENT: &str = "54316b56-3481-47f9-8f30-0300f5542a7b";
/// The app role the webhook's app registration defines and assigns to Event Grid.
pub const EVENT_GRID_ROLE: &str = "AzureEventGridSecureWebhookSubscriber";

/// The Azure cloud whose Entra ID issues the tokens: it decides the login host (keys, v2
/// issuer) and the v1 issuer host.
///
/// ```
/// use webhook_runtime::auth::jwt::{EntraCloud, JwtPolicy};
///
/// let cloud: EntraCloud = "us_government".parse().unwrap();
/// let policy = JwtPolicy::entra_id_for_event_grid_in(cloud, "contoso.onmicrosoft.us", "api://orders");
/// assert!(policy.build().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EntraCloud {
    /// `login.microsoftonline.com`; v1 issuer `sts.windows.net`.
    #[default]
    Public,
    /// Azure Government: `login.microsoftonline.us`. v1 tokens are documented with both
    /// `sts.windows.net` and the login host as issuer host; both are accepted.
    UsGovernment,
    /// Azure operated by 21Vianet: `login.partner.microsoftonline.cn` (and the older
    /// `login.chinacloudapi.cn`); v1 issuer `sts.chinacloudapi.cn`.
    China,
}

impl EntraCloud {
    /// The login hosts, the one to fetch keys from first.
    fn login_hosts(self) -> &'static [&'static str] {
        match self {
            Self::Public => &["login.microsoftonline.com"],
            Self::UsGovernment => &["login.microsoftonline.us"],
            Self::China => &["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
        }
    }

    /// The hosts of v1 issuers (`https://<host>/<tenant>/`).
    fn v1_hosts(self) -> &'static [&'static str] {
        match self {
            Self::Public => &["sts.windows.net"],
            Self::UsGovernment => &["sts.windows.net", "login.microsoftonline.us"],
            Self::China => &["sts.chinacloudapi.cn"],
        }
    }

    /// The name used in the environment: `public`, `us_government` or `china`.
    ///
    /// ```
    /// use webhook_runtime::auth::jwt::EntraCloud;
    ///
    /// assert_eq!(EntraCloud::default().as_str(), "public");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::UsGovernment => "us_government",
            Self::China => "china",
        }
    }
}

impl std::str::FromStr for EntraCloud {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim() {
            "public" => Ok(Self::Public),
            "us_government" => Ok(Self::UsGovernment),
            "china" => Ok(Self::China),
            _ => Err("expected `public`, `us_government` or `china`".to_owned()),
        }
    }
}

/// A tenant is a GUID or a domain name: anything else would make a different URL of the issuer.
fn valid_tenant(tenant: &str) -> bool {
    !tenant.is_empty()
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

impl JwtPolicy {
    /// Entra ID tokens of Event Grid's secure webhook delivery, in the public cloud: issuer
    /// `https://sts.windows.net/<tenant>/` (v1) or `https://login.microsoftonline.com/<tenant>/v2.0`
    /// (v2), audience `audience` (the app id URI or the app id of the webhook's app registration;
    /// add the other with [`audience`](Self::audience): v1 tokens often carry the URI, v2 the
    /// id), caller Event Grid's application ([`EVENT_GRID_APP_ID`] or
    /// [`EVENT_GRID_APP_ID_US_GOVERNMENT`]), role [`EVENT_GRID_ROLE`]; keys by discovery from
    /// the v2 issuer.
    ///
    /// ```
    /// use webhook_runtime::auth::jwt::JwtPolicy;
    ///
    /// let verifier = JwtPolicy::entra_id_for_event_grid("72f988bf-86f1-41af-91ab-2d7cd011db47", "api://orders")
    ///     .build()
    ///     .unwrap();
    /// # let _ = verifier;
    /// ```
    pub fn entra_id_for_event_grid(tenant: &str, audience: impl Into<String>) -> Self {
        Self::entra_id_for_event_grid_in(EntraCloud::Public, tenant, audience)
    }

    /// [`entra_id_for_event_grid`](Self::entra_id_for_event_grid) in another cloud.
    ///
    /// ```
    /// use webhook_runtime::auth::jwt::{EntraCloud, JwtPolicy};
    ///
    /// let policy = JwtPolicy::entra_id_for_event_grid_in(EntraCloud::China, "contoso.partner.onmschina.cn", "api://orders");
    /// assert!(policy.build().is_ok());
    /// ```
    pub fn entra_id_for_event_grid_in(
        cloud: EntraCloud,
        tenant: &str,
        audience: impl Into<String>,
    ) -> Self {
        let v2 = |host: &str| format!("https://{host}/{tenant}/v2.0");
        let mut policy = Self::oidc(v2(cloud.login_hosts()[0]), audience)
            .keys(KeySource::discovery(v2(cloud.login_hosts()[0])))
            .require_role(EVENT_GRID_ROLE)
            .callers([EVENT_GRID_APP_ID, EVENT_GRID_APP_ID_US_GOVERNMENT]);
        for host in &cloud.login_hosts()[1..] {
            policy = policy.issuer(v2(host));
        }
        for host in cloud.v1_hosts() {
            policy = policy.issuer(format!("https://{host}/{tenant}/"));
        }
        if !valid_tenant(tenant) {
            policy.problem = Some(format!(
                "{} is not an Entra tenant id or domain",
                crate::rejection::quoted(tenant)
            ));
        }
        policy
    }

    /// OAuth2 tokens of SAP's XSUAA (what SAP Event Mesh fetches from the token URL
    /// `<url>/oauth/token` of the receiver's XSUAA instance): issuer `<url>/oauth/token`, keys
    /// from `<url>/token_keys`, audience `audience` (the client id or the `xsappname`). Add the
    /// scope Event Mesh is granted with [`require_scope`](Self::require_scope).
    ///
    /// ```
    /// use webhook_runtime::auth::jwt::JwtPolicy;
    ///
    /// // Issuer `.../oauth/token`, keys from `.../token_keys`.
    /// let policy = JwtPolicy::sap_xsuaa("https://acme.authentication.eu10.hana.ondemand.com/", "orders!t42")
    ///     .require_scope("orders!t42.deliver");
    /// assert!(policy.build().is_ok());
    /// ```
    pub fn sap_xsuaa(url: &str, audience: impl Into<String>) -> Self {
        let url = url.trim_end_matches('/');
        Self::oidc(format!("{url}/oauth/token"), audience)
            .keys(KeySource::jwks_url(format!("{url}/token_keys")))
    }

    /// OAuth2 tokens of SAP Cloud Identity Services (`https://<tenant>.accounts.ondemand.com`),
    /// an OpenID Connect issuer: keys by discovery, audience the client id.
    ///
    /// ```
    /// use webhook_runtime::auth::jwt::JwtPolicy;
    ///
    /// let policy = JwtPolicy::sap_cloud_identity("https://acme.accounts.ondemand.com", "7f0c2b8e-client");
    /// assert!(policy.build().is_ok());
    /// ```
    pub fn sap_cloud_identity(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self::oidc(issuer, client_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d24_entra_issuers_in_both_forms_per_cloud() {
        let policy = JwtPolicy::entra_id_for_event_grid("contoso.onmicrosoft.com", "api://hook");
        assert_eq!(
            policy.issuers,
            [
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
                "https://sts.windows.net/contoso.onmicrosoft.com/",
            ]
        );
        assert_eq!(policy.roles, [EVENT_GRID_ROLE]);
        assert_eq!(
            policy.callers,
            [EVENT_GRID_APP_ID, EVENT_GRID_APP_ID_US_GOVERNMENT]
        );
        let gov = JwtPolicy::entra_id_for_event_grid_in(EntraCloud::UsGovernment, "t", "a");
        assert!(
            gov.issuers
                .contains(&"https://login.microsoftonline.us/t/v2.0".to_owned())
        );
        assert!(
            gov.issuers
                .contains(&"https://sts.windows.net/t/".to_owned())
        );
        let china = JwtPolicy::entra_id_for_event_grid_in(EntraCloud::China, "t", "a");
        assert!(
            china
                .issuers
                .contains(&"https://sts.chinacloudapi.cn/t/".to_owned())
        );
        assert!(matches!(
            china.keys,
            Some(KeySource::Discovery(ref url)) if url == "https://login.partner.microsoftonline.cn/t/v2.0"
        ));
        let bad = JwtPolicy::entra_id_for_event_grid("t/../x", "a").build();
        assert!(bad.is_err());
    }

    #[test]
    fn d24_xsuaa_issuer_and_keys_from_the_service_url() {
        let policy = JwtPolicy::sap_xsuaa(
            "https://acme.authentication.eu10.hana.ondemand.com/",
            "app!t1",
        );
        assert_eq!(
            policy.issuers,
            ["https://acme.authentication.eu10.hana.ondemand.com/oauth/token"]
        );
        assert!(matches!(
            policy.keys,
            Some(KeySource::JwksUrl(ref url)) if url == "https://acme.authentication.eu10.hana.ondemand.com/token_keys"
        ));
        assert!(
            JwtPolicy::sap_xsuaa("http://uaa.example.com", "a")
                .build()
                .is_err()
        );
    }
}
