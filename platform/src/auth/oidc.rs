//! Sign-in with the municipality's OpenID Connect provider (FranceConnect, the city's own…):
//! authorization code with PKCE (S256), a one-time `state` and `nonce` kept in Redis for ten
//! minutes, the exact redirect URI `{PUBLIC_URL}/{slug}/oidc/retour`, discovery and JWKS from
//! the issuer, and an ID token whose signature (RS*/ES*/PS* only, never `none` or HS*),
//! `iss`, `aud`, `exp` and `nonce` are checked. Identities are keyed by (issuer, subject) and
//! linked once by a signed-in guardian; an e-mail never links an identity by itself.

use crate::http::errors::{Failure, Problem};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::{DateTime, Utc};
use jsonwebtoken::{DecodingKey, Validation, jwk::JwkSet};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use poem::http::StatusCode;
use portail_tenants::TenantTx;
use portail_tenants::config::Oidc;
use portail_tenants::database::sql;
use redis::AsyncCommands;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const STATE_TTL_SECONDS: u64 = 600;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("this municipality has no identity provider")]
    NotConfigured,
    #[error("the sign-in expired or was already used")]
    UnknownState,
    #[error("the provider refused or failed: {0}")]
    Provider(String),
    #[error("the identity token is not valid: {0}")]
    InvalidToken(String),
    #[error("this identity is linked to no account")]
    NotLinked,
    #[error("this identity is already linked to another account")]
    LinkedElsewhere,
    #[error("the return came to another browser than the one that started")]
    OtherBrowser,
    #[error("a dependency is unavailable: {0}")]
    Unavailable(String),
}

/// Shown on the sign-in error page; never in the JSON API.
impl Problem for OidcError {
    fn status(&self) -> StatusCode {
        match self {
            OidcError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            OidcError::NotConfigured => StatusCode::NOT_FOUND,
            _ => StatusCode::FORBIDDEN,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            OidcError::NotConfigured => "oidc_not_configured",
            OidcError::UnknownState => "oidc_unknown_state",
            OidcError::Provider(_) | OidcError::InvalidToken(_) => "oidc_not_confirmed",
            OidcError::NotLinked => "oidc_not_linked",
            OidcError::LinkedElsewhere => "oidc_linked_elsewhere",
            OidcError::OtherBrowser => "oidc_other_browser",
            OidcError::Unavailable(_) => Failure::Unavailable.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            OidcError::NotConfigured => crate::i18n::t("oidc-not-configured"),
            OidcError::OtherBrowser => crate::i18n::t("oidc-other-browser"),
            OidcError::UnknownState => crate::i18n::t("oidc-unknown-state"),
            OidcError::Provider(_) | OidcError::InvalidToken(_) => crate::i18n::t("oidc-provider"),
            OidcError::NotLinked => crate::i18n::t("oidc-not-linked"),
            OidcError::LinkedElsewhere => crate::i18n::t("oidc-linked-elsewhere"),
            OidcError::Unavailable(_) => crate::i18n::t("oidc-unavailable"),
        }
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[]
    }
}

/// The ID token, next to the standard token response fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenField {
    pub id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenField {}

type OidcTokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;
type OidcClient = Client<
    BasicErrorResponse,
    OidcTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// Why the flow started: to sign in, or to link the identity to the signed-in guardian.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Purpose {
    SignIn,
    Link { guardian_id: Uuid },
}

#[derive(Serialize, Deserialize)]
struct Pending {
    verifier: String,
    nonce: String,
    purpose: Purpose,
    /// Hash of the cookie of the browser that started (see `oidc_binding`).
    #[serde(default)]
    browser: String,
}

#[derive(Debug, Deserialize)]
pub struct IdClaims {
    pub sub: String,
    pub nonce: Option<String>,
    pub email: Option<String>,
}

fn http_client() -> reqwest::Client {
    // The token exchange must not follow redirects (an open redirect would leak the code).
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("an HTTP client")
}

async fn discover(config: &Oidc) -> Result<Discovery, OidcError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        config.issuer.trim_end_matches('/')
    );
    let discovery: Discovery = http_client()
        .get(&url)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| OidcError::Provider(format!("discovery: {e}")))?
        .json()
        .await
        .map_err(|e| OidcError::Provider(format!("discovery document: {e}")))?;
    if discovery.issuer.trim_end_matches('/') != config.issuer.trim_end_matches('/') {
        return Err(OidcError::Provider(
            "the discovery document names another issuer".into(),
        ));
    }
    Ok(discovery)
}

fn redirect_uri(state: &AppState, tenant: &CurrentTenant) -> String {
    format!(
        "{}/{}/oidc/retour",
        state.settings.public_url,
        tenant.slug()
    )
}

fn client(
    state: &AppState,
    tenant: &CurrentTenant,
    config: &Oidc,
    discovery: &Discovery,
) -> Result<OidcClient, OidcError> {
    // Never read another variable than the municipality's own: a configuration stored before
    // this rule could otherwise send DATABASE_URL to a provider it controls.
    if !config.secret_env_allowed(tenant.slug()) {
        return Err(OidcError::Provider(format!(
            "{} is not named {}…",
            config.client_secret_env,
            portail_tenants::config::Oidc::secret_env_prefix(tenant.slug())
        )));
    }
    let secret = std::env::var(&config.client_secret_env)
        .map_err(|_| OidcError::Provider(format!("{} is not set", config.client_secret_env)))?;
    let bad = |e: oauth2::url::ParseError| OidcError::Provider(e.to_string());
    Ok(Client::new(ClientId::new(config.client_id.clone()))
        .set_client_secret(ClientSecret::new(secret))
        .set_auth_uri(AuthUrl::new(discovery.authorization_endpoint.clone()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(discovery.token_endpoint.clone()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri(state, tenant)).map_err(bad)?))
}

fn state_key(slug: &str, state: &str) -> String {
    format!("t:{slug}:oidc:{}", super::tokens::token_hash(state))
}

pub async fn tenant_oidc(state: &AppState, tenant: &CurrentTenant) -> Result<Oidc, OidcError> {
    let config = crate::tenancy::config(state, tenant)
        .await
        .map_err(|e| OidcError::Unavailable(e.to_string()))?;
    config.oidc.clone().ok_or(OidcError::NotConfigured)
}

/// Where to send the browser to start: the provider's authorization URL.
pub async fn start(
    state: &AppState,
    tenant: &CurrentTenant,
    purpose: Purpose,
    browser: String,
) -> Result<String, OidcError> {
    let config = tenant_oidc(state, tenant).await?;
    let discovery = discover(&config).await?;
    let client = client(state, tenant, &config, &discovery)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = super::tokens::new_token();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .add_extra_param("nonce", nonce.clone())
        .set_pkce_challenge(challenge)
        .url();
    let pending = Pending {
        verifier: verifier.secret().clone(),
        nonce,
        purpose,
        browser,
    };
    let mut conn = state.redis.connection();
    let _: () = conn
        .set_ex(
            state_key(tenant.slug(), csrf.secret()),
            serde_json::to_string(&pending).expect("plain data"),
            STATE_TTL_SECONDS,
        )
        .await
        .map_err(|e| OidcError::Unavailable(e.to_string()))?;
    Ok(url.to_string())
}

/// The provider came back: checks everything and returns the identity's issuer and subject,
/// with the purpose the flow started for.
pub async fn finish(
    state: &AppState,
    tenant: &CurrentTenant,
    code: &str,
    returned_state: &str,
    req: &poem::Request,
) -> Result<(String, IdClaims, Purpose), OidcError> {
    let mut conn = state.redis.connection();
    // GETDEL: a state works once.
    let raw: Option<String> = redis::cmd("GETDEL")
        .arg(state_key(tenant.slug(), returned_state))
        .query_async(&mut conn)
        .await
        .map_err(|e| OidcError::Unavailable(e.to_string()))?;
    let pending: Pending = raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .ok_or(OidcError::UnknownState)?;
    // Another browser than the one that started: someone else's return URL (login CSRF).
    if !super::oidc_binding::presented_by(req, &pending.browser) {
        return Err(OidcError::OtherBrowser);
    }
    let config = tenant_oidc(state, tenant).await?;
    let discovery = discover(&config).await?;
    let client = client(state, tenant, &config, &discovery)?;
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&http_client())
        .await
        .map_err(|e| OidcError::Provider(format!("token exchange: {e}")))?;
    let id_token = token
        .extra_fields()
        .id_token
        .clone()
        .ok_or_else(|| OidcError::InvalidToken("no id_token in the response".into()))?;
    let jwks: JwkSet = http_client()
        .get(&discovery.jwks_uri)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| OidcError::Provider(format!("jwks: {e}")))?
        .json()
        .await
        .map_err(|e| OidcError::Provider(format!("jwks document: {e}")))?;
    let claims = verify_id_token(
        &id_token,
        &jwks,
        &discovery.issuer,
        &config.client_id,
        &pending.nonce,
    )?;
    Ok((discovery.issuer, claims, pending.purpose))
}

/// Checks an ID token: asymmetric signature by a key of the issuer's JWKS, issuer, audience,
/// expiry and nonce.
pub fn verify_id_token(
    token: &str,
    jwks: &JwkSet,
    issuer: &str,
    client_id: &str,
    nonce: &str,
) -> Result<IdClaims, OidcError> {
    // The algorithm is read from the raw header first, so that one the library does not even
    // know ("none") is refused by name, like HS256.
    const ALLOWED: [&str; 8] = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
    ];
    let alg = header_alg(token);
    if !ALLOWED.contains(&alg.as_str()) {
        return Err(OidcError::InvalidToken(format!("algorithm {alg} refused")));
    }
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| OidcError::InvalidToken(e.to_string()))?;
    let jwk = match &header.kid {
        Some(kid) => jwks.find(kid),
        None if jwks.keys.len() == 1 => jwks.keys.first(),
        None => None,
    }
    .ok_or_else(|| OidcError::InvalidToken("no key of the issuer matches".into()))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| OidcError::InvalidToken(e.to_string()))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<IdClaims>(token, &key, &validation)
        .map_err(|e| OidcError::InvalidToken(e.to_string()))?;
    if data.claims.nonce.as_deref() != Some(nonce) {
        return Err(OidcError::InvalidToken("nonce mismatch".into()));
    }
    Ok(data.claims)
}

/// The `alg` of a JWT's header as written, or "(unreadable)".
fn header_alg(token: &str) -> String {
    use base64::Engine;
    let header = token.split('.').next().unwrap_or("");
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|h| h["alg"].as_str().map(str::to_string))
        .unwrap_or_else(|| "(unreadable)".into())
}

/// The guardian an identity is linked to.
pub async fn linked_guardian(
    tx: &TenantTx,
    issuer: &str,
    subject: &str,
) -> Result<Option<Uuid>, sea_orm::DbErr> {
    let row = tx
        .query_one_raw(sql(
            "SELECT guardian_id FROM oidc_identities WHERE issuer = $1 AND subject = $2",
            [issuer.into(), subject.into()],
        ))
        .await?;
    row.map(|r| r.try_get::<Uuid>("", "guardian_id"))
        .transpose()
}

/// Links an identity to a guardian; refused when it already belongs to another.
pub async fn link(
    tx: &TenantTx,
    issuer: &str,
    subject: &str,
    guardian_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Result<(), OidcError>, sea_orm::DbErr> {
    if let Some(owner) = linked_guardian(tx, issuer, subject).await? {
        return Ok(if owner == guardian_id {
            Ok(())
        } else {
            Err(OidcError::LinkedElsewhere)
        });
    }
    tx.run("INSERT INTO oidc_identities (issuer, subject, guardian_id, linked_at) VALUES ($1, $2, $3, $4)",
        [issuer.into(), subject.into(), guardian_id.into(), now.into()])
    .await?;
    Ok(Ok(()))
}

/// Whether the guardian has linked an identity of `issuer`.
pub async fn has_link(
    tx: &TenantTx,
    issuer: &str,
    guardian_id: Uuid,
) -> Result<bool, sea_orm::DbErr> {
    tx.exists(
        "SELECT 1 AS one FROM oidc_identities WHERE issuer = $1 AND guardian_id = $2",
        [issuer.into(), guardian_id.into()],
    )
    .await
}

/// Links the identity to the guardian who started the link, in one transaction.
pub async fn link_identity(
    state: &AppState,
    tenant: &CurrentTenant,
    issuer: &str,
    subject: &str,
    guardian_id: Uuid,
) -> Result<Result<(), OidcError>, sea_orm::DbErr> {
    let tx = tenant.begin(state).await?;
    if let Err(e) = link(&tx, issuer, subject, guardian_id, state.clock.now()).await? {
        return Ok(Err(e));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// The account this identity is linked to, if any.
pub async fn linked_account(
    state: &AppState,
    tenant: &CurrentTenant,
    issuer: &str,
    subject: &str,
) -> Result<Option<super::repository::Account>, sea_orm::DbErr> {
    let tx = tenant.begin(state).await?;
    let account = match linked_guardian(&tx, issuer, subject).await? {
        Some(guardian_id) => super::repository::account_by_id(&tx, guardian_id).await?,
        None => None,
    };
    tx.commit().await?;
    Ok(account)
}

/// "Mon compte": the account, and the provider's label with whether it is linked.
pub async fn account_view(
    state: &AppState,
    tenant: &CurrentTenant,
    guardian_id: Uuid,
) -> Result<Option<(super::repository::Account, Option<(String, bool)>)>, sea_orm::DbErr> {
    let tx = tenant.begin(state).await?;
    let Some(account) = super::repository::account_by_id(&tx, guardian_id).await? else {
        return Ok(None);
    };
    let config = crate::tenancy::current_config(state, tenant, &tx).await?;
    let oidc = match &config.oidc {
        Some(o) => Some((
            o.label.clone(),
            has_link(&tx, o.issuer.trim_end_matches('/'), guardian_id).await?,
        )),
        None => None,
    };
    tx.commit().await?;
    Ok(Some((account, oidc)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{Algorithm, EncodingKey, Header};

    #[test]
    fn symmetric_and_unsigned_tokens_are_refused_before_any_key_is_looked_up() {
        let jwks = JwkSet { keys: vec![] };
        let claims = serde_json::json!({ "sub": "alice", "iss": "http://idp", "aud": "portail", "exp": 4_000_000_000u64, "nonce": "n" });
        let hs = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"client-secret"),
        )
        .unwrap();
        let err = verify_id_token(&hs, &jwks, "http://idp", "portail", "n").unwrap_err();
        assert!(err.to_string().contains("HS256 refused"), "{err}");

        // alg "none" ({"alg":"none","typ":"JWT"}, no signature), against the issuer's real
        // key set: refused for its algorithm, not for want of a key.
        let none = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                claims.to_string()
            )
        );
        let (_, jwks) = issuer_key();
        let err = verify_id_token(&none, &jwks, "http://idp", "portail", "n").unwrap_err();
        assert!(err.to_string().contains("algorithm none refused"), "{err}");
        // The same claims signed with HS256 using the public key as the secret (the classic
        // confusion attack): refused too.
        let err = verify_id_token(&hs, &jwks, "http://idp", "portail", "n").unwrap_err();
        assert!(err.to_string().contains("HS256 refused"), "{err}");
    }

    /// A P-256 key made for these tests only (PKCS#8 DER, base64), and the issuer's key set
    /// holding its public half.
    const TEST_KEY: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeDG/XkV3o0/geq32k9/cLtMlishB07cXcuQzLFp0LZWhRANCAATwJwOQbrN1mftlFiEmLbUGqx2W7ron3wvsbhkjJMQmSXmabghFNp7JNTT2g3IQlI0Mw77YRVJtyPtZhCvwBzDK";

    fn issuer_key() -> (EncodingKey, JwkSet) {
        let der =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, TEST_KEY).unwrap();
        let key = EncodingKey::from_ec_der(&der);
        let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
        jwk.common.key_id = Some("k1".into());
        (key, JwkSet { keys: vec![jwk] })
    }

    fn id_token(claims: serde_json::Value) -> String {
        let (key, _) = issuer_key();
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    }

    fn claims() -> serde_json::Value {
        let exp = chrono::Utc::now().timestamp() + 300;
        serde_json::json!({ "sub": "alice", "iss": "http://idp", "aud": "portail", "exp": exp, "nonce": "n" })
    }

    fn refusal(claims: serde_json::Value) -> String {
        let (_, jwks) = issuer_key();
        verify_id_token(&id_token(claims), &jwks, "http://idp", "portail", "n")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_token_signed_by_the_issuer_with_its_claims_right_is_accepted() {
        let (_, jwks) = issuer_key();
        let claims =
            verify_id_token(&id_token(claims()), &jwks, "http://idp", "portail", "n").unwrap();
        assert_eq!(claims.sub, "alice");
    }

    #[test]
    fn a_wrong_nonce_issuer_audience_or_an_expired_token_is_refused_with_its_reason() {
        let with = |key: &str, value: serde_json::Value| {
            let mut c = claims();
            c[key] = value;
            c
        };
        assert!(refusal(with("nonce", "other".into())).contains("nonce mismatch"));
        let mut no_nonce = claims();
        no_nonce.as_object_mut().unwrap().remove("nonce");
        assert!(refusal(no_nonce).contains("nonce mismatch"));
        assert!(refusal(with("iss", "http://evil".into())).contains("InvalidIssuer"));
        assert!(refusal(with("aud", "another-client".into())).contains("InvalidAudience"));
        let an_hour_ago = chrono::Utc::now().timestamp() - 3600;
        assert!(refusal(with("exp", an_hour_ago.into())).contains("ExpiredSignature"));
    }

    #[test]
    fn a_token_signed_by_another_key_is_refused() {
        // Claims changed under the issuer's signature: the signature no longer matches.
        let good = id_token(claims());
        let mut parts: Vec<&str> = good.split('.').collect();
        let forged_claims = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            serde_json::json!({ "sub": "mallory", "iss": "http://idp", "aud": "portail", "exp": 4_000_000_000u64, "nonce": "n" }).to_string(),
        );
        parts[1] = &forged_claims;
        let (_, jwks) = issuer_key();
        let err =
            verify_id_token(&parts.join("."), &jwks, "http://idp", "portail", "n").unwrap_err();
        assert!(err.to_string().contains("InvalidSignature"), "{err}");
    }
}
