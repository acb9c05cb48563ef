//! The locale of every request, chosen once by [`negotiate`](super::negotiate) and kept for
//! the whole handling: as request data (`Data<&Locale>`) and as the task's current locale
//! (read by the template helper, the calendar words and the error messages).

use super::{LANG_COOKIE, Locale, SESSION_KEY, negotiate, scope};
use crate::auth::session::{SESSION_COOKIE, read_cookie};
use crate::sessions::ReadForRequest;
use crate::state::AppState;
use crate::tenancy::{CurrentTenant, current_config};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use std::sync::Arc;

/// Outside the tenant resolution (`state: None`): cookie and `Accept-Language` only, so that
/// even "unknown municipality" pages speak the visitor's language. Inside it: the
/// municipality's languages and the signed-in guardian's preference too.
pub struct LocaleSelection {
    state: Option<Arc<AppState>>,
}

impl LocaleSelection {
    pub fn anonymous() -> Self {
        Self { state: None }
    }

    pub fn for_tenant(state: Arc<AppState>) -> Self {
        Self { state: Some(state) }
    }
}

impl<E: Endpoint> Middleware<E> for LocaleSelection {
    type Output = LocaleEndpoint<E>;
    fn transform(&self, inner: E) -> Self::Output {
        LocaleEndpoint {
            inner,
            state: self.state.clone(),
        }
    }
}

pub struct LocaleEndpoint<E> {
    inner: E,
    state: Option<Arc<AppState>>,
}

impl<E: Endpoint> Endpoint for LocaleEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let tenant = req.extensions().get::<CurrentTenant>().cloned();
        let (allowed, saved) = match (&self.state, &tenant) {
            (Some(state), Some(tenant)) => (
                offered(state, tenant).await,
                saved_preference(state, tenant, &mut req).await,
            ),
            _ => (Locale::ALL.to_vec(), None),
        };
        let cookie = read_cookie(&req, LANG_COOKIE);
        let accept = req
            .headers()
            .get("accept-language")
            .and_then(|v| v.to_str().ok());
        let locale = negotiate(saved, cookie.as_deref(), accept, &allowed);
        req.extensions_mut().insert(locale);
        let switch = Switch {
            slug: tenant.as_ref().map(|t| t.slug().to_string()),
            offered: allowed,
            here: req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
        };
        let mut response = SWITCH
            .scope(switch, scope(locale, self.inner.call(req)))
            .await
            .map(IntoResponse::into_response)?;
        if let Ok(v) = locale.code().parse() {
            response.headers_mut().insert("content-language", v);
        }
        // The same address answers in another language for another visitor.
        response.headers_mut().append(
            "vary",
            poem::http::HeaderValue::from_static("Accept-Language, Cookie"),
        );
        Ok(response)
    }
}

/// The municipality's languages (`[portal] locales`). Its configuration is almost always
/// cached; reading it failing leaves every language open rather than failing the page.
pub async fn offered(state: &AppState, tenant: &CurrentTenant) -> Vec<Locale> {
    if let Some(config) = state.configs.get(tenant.slug(), tenant.0.config_version) {
        return config.portal.locales.clone();
    }
    let read = async {
        let tx = tenant.begin(state).await?;
        let config = current_config(state, tenant, &tx).await?;
        tx.commit().await?;
        Ok::<_, sea_orm::DbErr>(config)
    };
    match read.await {
        Ok(config) => config.portal.locales.clone(),
        Err(e) => {
            tracing::warn!(error = %e, "configuration unreadable for the locale");
            Locale::ALL.to_vec()
        }
    }
}

/// The signed-in guardian's saved language, kept in the session at sign-in and when changed.
/// The session read here is kept for the request ([`ReadForRequest`]).
async fn saved_preference(
    state: &AppState,
    tenant: &CurrentTenant,
    req: &mut Request,
) -> Option<Locale> {
    let id = read_cookie(req, SESSION_COOKIE)?;
    let session = state.sessions.load(tenant.slug(), &id).await.ok()?;
    req.extensions_mut().insert(ReadForRequest {
        id,
        session: session.clone(),
    });
    session?
        .data
        .get(SESSION_KEY)
        .and_then(|v| v.as_str())
        .and_then(Locale::parse)
}

/// What the footer's language switch needs: the municipality, its languages, this page.
#[derive(Clone)]
struct Switch {
    slug: Option<String>,
    offered: Vec<Locale>,
    here: String,
}

tokio::task_local! {
    static SWITCH: Switch;
}

/// The entries of the footer's language switch for the page being rendered: each language of
/// the municipality with the link that chooses it and comes back here. Empty outside a
/// municipality or when it offers one language.
pub fn switch_entries() -> serde_json::Value {
    let current = super::current();
    SWITCH
        .try_with(|s| {
            let Some(slug) = &s.slug else {
                return Vec::new();
            };
            if s.offered.len() < 2 {
                return Vec::new();
            }
            s.offered
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "code": l.code(),
                        "name": l.native_name(),
                        "current": *l == current,
                        "href": format!("/{slug}/langue/{}?retour={}", l.code(), encode(&s.here)),
                    })
                })
                .collect()
        })
        .map(serde_json::Value::Array)
        .unwrap_or_else(|_| serde_json::Value::Array(Vec::new()))
}

/// Percent-encodes a path and query for a query parameter.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
