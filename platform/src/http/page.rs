//! What every page of a municipality shares: its banner (name, navigation, who is signed in),
//! the CSRF token of its forms, and the headers of personal pages.

use super::errors::{Failure, PageError};
use crate::auth::csrf;
use crate::auth::session::{SignedIn, signed_in};
use crate::state::AppState;
use crate::templates::{self, navigation};
use crate::tenancy::CurrentTenant;
use poem::web::Html;
use poem::{IntoResponse, Request, Response};
use serde_json::{Value, json};

/// The frame of a page: built once per request, rendered around the page's own data.
pub struct Frame {
    pub slug: String,
    pub tenant_name: String,
    pub account: Option<SignedIn>,
    pub account_name: Option<String>,
    pub csrf: String,
    set_csrf_cookie: Option<String>,
}

impl Frame {
    /// Reads the session (Redis down → 503 page, never an anonymous page) and the CSRF cookie.
    pub async fn load(
        state: &AppState,
        tenant: &CurrentTenant,
        req: &Request,
    ) -> Result<Self, PageError> {
        let account = signed_in(state, tenant, req).await.map_err(|e| {
            tracing::warn!(error = %e, "session store unavailable");
            PageError(Failure::Unavailable)
        })?;
        let account_name = match &account {
            Some(a) => state
                .sessions
                .load(tenant.slug(), &a.session_id)
                .await
                .ok()
                .flatten()
                .and_then(|s| {
                    s.data
                        .get("name")
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                }),
            None => None,
        };
        let (csrf, set_csrf_cookie) = csrf::form_token(
            state,
            tenant.slug(),
            req,
            account.as_ref().map(|a| a.session_id.as_str()),
        );
        Ok(Frame {
            slug: tenant.slug().to_string(),
            tenant_name: tenant.0.name.clone(),
            account,
            account_name,
            csrf,
            set_csrf_cookie,
        })
    }

    /// For the form of a signed-in page: the CSRF token is checked first, then the session.
    /// `Err` is the way back to the sign-in page when the session has ended.
    pub async fn for_form(
        state: &AppState,
        tenant: &CurrentTenant,
        req: &Request,
        csrf_token: Option<&str>,
    ) -> Result<Result<(Self, SignedIn), Response>, PageError> {
        if !csrf::valid_for_session(req, csrf_token) {
            return Err(csrf_refused());
        }
        let frame = Self::load(state, tenant, req).await?;
        match frame.account.clone() {
            Some(signed) => Ok(Ok((frame, signed))),
            None => Ok(Err(poem::web::Redirect::see_other(format!(
                "/{}/connexion?info=session-expiree",
                tenant.slug()
            ))
            .into_response())),
        }
    }

    /// Renders `template` with the page's `data` merged into the frame.
    pub fn render(&self, template: &str, title: &str, current: &str, data: Value) -> Response {
        self.render_with_status(template, title, current, data, 200)
    }

    pub fn render_with_status(
        &self,
        template: &str,
        title: &str,
        current: &str,
        data: Value,
        status: u16,
    ) -> Response {
        let t = templates::global();
        let mut context = json!({
            "title": title,
            "css": t.css_url(),
            "js": t.js_url(),
            "tenant": { "slug": self.slug, "name": self.tenant_name },
            "nav": navigation(&self.slug, current, self.account.is_some()),
            "account": self.account_name.as_ref().map(|n| json!({ "name": n })),
            "csrf": self.csrf,
        });
        if let (Value::Object(c), Value::Object(d)) = (&mut context, data) {
            c.extend(d);
        }
        let mut response = Html(t.render(template, &context)).into_response();
        response.set_status(
            poem::http::StatusCode::from_u16(status).unwrap_or(poem::http::StatusCode::OK),
        );
        let headers = response.headers_mut();
        // Pages may show personal data or carry form tokens: never stored by a shared cache.
        headers.insert(
            "cache-control",
            poem::http::HeaderValue::from_static("no-store"),
        );
        if let Some(cookie) = &self.set_csrf_cookie
            && let Ok(v) = cookie.parse()
        {
            headers.append("set-cookie", v);
        }
        response
    }
}

/// A form whose CSRF token does not match: 403 with a way forward.
pub fn csrf_refused() -> PageError {
    PageError(Failure::FormExpired)
}
