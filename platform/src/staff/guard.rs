//! The guards of the back-office. The role an operation needs is part of the extractor's
//! type: a handler taking `StaffApi<Gestionnaire>` only runs for a `gestionnaire` or above,
//! so an operation cannot be written without saying who may do it.
//!
//! - [`StaffPage<R>`]: a page; no staff session → the staff sign-in page; a lower role → the
//!   French 403 page.
//! - [`StaffForm<R, F>`]: a form of such a page, its CSRF token checked first.
//! - [`StaffPublicPage`]: a page anyone may open (sign-in, activation), in the staff frame.
//! - [`StaffPublicForm<F>`]: a form anyone may send (sign-in, activation), the staff twin of
//!   `http::page::PublicForm`: its CSRF token checked (403 page), then the staff frame.
//!
//! The page extractors carry the request's state and municipality (shared handles, cheap to
//! clone), so a handler takes one argument for all it needs.
//! - [`StaffApi<R>`]: a JSON operation; 401 `not_authenticated`, 403 `forbidden_role`.
//!
//! A parent's session never opens any of them: they read only the staff cookie and the staff
//! kind of session.

use super::auth::{StaffSigned, current};
use super::{Needs, Role, StaffError};
use crate::auth::csrf;
use crate::http::errors::{ApiError, PageError};
use crate::http::page::{checked_form, context};
use crate::i18n::t;
use crate::state::AppState;
use crate::templates;
use crate::tenancy::CurrentTenant;
use poem::web::Redirect;
use poem::{FromRequest, IntoResponse, Request, RequestBody, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::marker::PhantomData;
use std::sync::Arc;

/// The frame of a back-office page: the municipality, the staff navigation for the member's
/// role, the CSRF token of its forms.
pub struct StaffFrame {
    pub slug: String,
    pub tenant_name: String,
    pub member: Option<StaffSigned>,
    pub csrf: String,
    set_csrf_cookie: Option<String>,
}

/// One entry of the staff navigation.
#[derive(Serialize)]
struct NavEntry {
    href: String,
    label: String,
    current: bool,
    primary: bool,
}

/// The back-office entries a role may open, and no other.
fn navigation(slug: &str, current: &str, role: Option<Role>) -> Vec<NavEntry> {
    let entries = [
        ("accueil", "staff-nav-home", "", Role::Accueil),
        ("familles", "staff-nav-families", "familles", Role::Accueil),
        (
            "messagerie",
            "staff-nav-messages",
            "messagerie",
            Role::Accueil,
        ),
        (
            "effectifs",
            "staff-nav-counts",
            "effectifs",
            Role::Gestionnaire,
        ),
        (
            "bibliotheque",
            "staff-nav-library",
            "bibliotheque",
            Role::Gestionnaire,
        ),
        (
            "facturation",
            "staff-nav-billing",
            "facturation",
            Role::Regisseur,
        ),
        ("equipe", "staff-nav-team", "equipe", Role::Admin),
        ("textes", "staff-nav-texts", "textes", Role::Admin),
    ];
    let Some(role) = role else {
        return vec![NavEntry {
            href: format!("/{slug}/gestion/connexion"),
            label: crate::i18n::t("staff-nav-sign-in"),
            current: current == "connexion",
            primary: true,
        }];
    };
    entries
        .iter()
        .filter(|(_, _, _, needed)| role.allows(*needed))
        .map(|(key, label, path, _)| NavEntry {
            href: format!("/{slug}/gestion/{path}"),
            label: crate::i18n::t(label),
            current: *key == current,
            primary: false,
        })
        .collect()
}

impl StaffFrame {
    pub async fn load(req: &Request) -> Result<Self, PageError> {
        let (state, tenant) = context(req);
        let member = current(state, tenant, req).await?;
        let (csrf, set_csrf_cookie) = csrf::form_token(
            state,
            tenant.slug(),
            req,
            member.as_ref().map(|m| m.session_id.as_str()),
        );
        Ok(StaffFrame {
            slug: tenant.slug().to_string(),
            tenant_name: tenant.0.name.clone(),
            member,
            csrf,
            set_csrf_cookie,
        })
    }

    /// Renders `template` with the page's model merged into the frame.
    pub fn render(
        &self,
        template: &str,
        title: &str,
        current: &str,
        page: &impl Serialize,
        status: u16,
    ) -> Response {
        let frame = json!({
            "title": title,
            "tenant": { "slug": self.slug, "name": self.tenant_name },
            "nav": navigation(&self.slug, current, self.member.as_ref().map(|m| m.role)),
            // The banner's "signed in as" and sign-out, pointing at the back-office's own.
            "account": self.member.as_ref().map(|m| json!({
                "name": format!("{} ({})", m.name, m.role.label()),
                "href": format!("/{}/gestion/", self.slug),
                "signout": format!("/{}/gestion/deconnexion", self.slug),
            })),
            "csrf": self.csrf,
        });
        let cookie = self.set_csrf_cookie.as_deref();
        templates::page_response(template, frame, page, status, cookie)
    }

    /// A 303 to the back-office page `path` (below `/{slug}/gestion/`), the answer to a form
    /// that went through.
    pub fn redirect(&self, path: &str) -> Response {
        Redirect::see_other(format!("/{}/gestion/{path}", self.slug)).into_response()
    }

    /// Renders the back-office page `view` with its model.
    pub fn show(&self, view: &StaffView, page: &impl Serialize, status: u16) -> Response {
        self.render(view.template, &t(view.title), view.nav, page, status)
    }
}

/// What stays the same each time a back-office page is drawn: its template, the message id of
/// its title, and the navigation entry it lights.
pub struct StaffView {
    pub template: &'static str,
    pub title: &'static str,
    pub nav: &'static str,
}

fn to_sign_in(slug: &str, query: &str) -> poem::Error {
    poem::Error::from_response(
        Redirect::see_other(format!("/{slug}/gestion/connexion{query}")).into_response(),
    )
}

/// The frame of a signed-in member whose role allows `R`.
async fn staff_frame<R: Needs>(
    req: &Request,
    query: &str,
) -> poem::Result<(StaffFrame, StaffSigned)> {
    let frame = StaffFrame::load(req).await?;
    let Some(member) = frame.member.clone() else {
        return Err(to_sign_in(&frame.slug, query));
    };
    if !member.role.allows(R::ROLE) {
        return Err(PageError::from(StaffError::Forbidden(R::ROLE)).into());
    }
    Ok((frame, member))
}

/// The request's state and municipality, for an extractor to keep.
fn owned_context(req: &Request) -> (Arc<AppState>, CurrentTenant) {
    let (state, tenant) = context(req);
    (state.clone(), tenant.clone())
}

/// A back-office page for role `R` and above.
pub struct StaffPage<R: Needs> {
    pub state: Arc<AppState>,
    pub tenant: CurrentTenant,
    pub frame: StaffFrame,
    pub member: StaffSigned,
    role: PhantomData<R>,
}

impl<'a, R: Needs> FromRequest<'a> for StaffPage<R> {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let (state, tenant) = owned_context(req);
        let (frame, member) = staff_frame::<R>(req, "").await?;
        Ok(StaffPage {
            state,
            tenant,
            frame,
            member,
            role: PhantomData,
        })
    }
}

/// The form token of a signed-in back-office page is bound to the staff session, as the
/// parents' is to theirs: a planted cookie and field pair is worthless.
fn valid_for_staff_session(req: &Request, submitted: Option<&str>) -> bool {
    csrf::valid_for_session_cookie(req, submitted, super::auth::STAFF_COOKIE)
}

/// A form of a back-office page for role `R` and above, read as `F`: the CSRF token first
/// (403 page), then the session and the role.
pub struct StaffForm<R: Needs, F> {
    pub state: Arc<AppState>,
    pub tenant: CurrentTenant,
    pub frame: StaffFrame,
    pub member: StaffSigned,
    pub form: F,
    role: PhantomData<R>,
}

impl<'a, R: Needs, F: DeserializeOwned + Send> FromRequest<'a> for StaffForm<R, F> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let form = checked_form(req, body, valid_for_staff_session).await?;
        let (state, tenant) = owned_context(req);
        let (frame, member) = staff_frame::<R>(req, "?info=session-expiree").await?;
        Ok(StaffForm {
            state,
            tenant,
            frame,
            member,
            form,
            role: PhantomData,
        })
    }
}

/// A back-office page anyone may open (sign-in, activation): no session needed.
pub struct StaffPublicPage {
    pub state: Arc<AppState>,
    pub tenant: CurrentTenant,
    pub frame: StaffFrame,
}

impl StaffPublicPage {
    /// (state, tenant, frame).
    pub fn parts(self) -> (Arc<AppState>, CurrentTenant, StaffFrame) {
        (self.state, self.tenant, self.frame)
    }
}

impl<'a> FromRequest<'a> for StaffPublicPage {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let (state, tenant) = owned_context(req);
        let frame = StaffFrame::load(req).await?;
        Ok(StaffPublicPage {
            state,
            tenant,
            frame,
        })
    }
}

/// A back-office form anyone may send (sign-in, activation), read as `F` once its CSRF token
/// is checked (403 page otherwise). `http::page::PublicForm` would load the parents' frame:
/// these pages are drawn in the staff one.
pub struct StaffPublicForm<F> {
    pub page: StaffPublicPage,
    pub form: F,
}

impl<'a, F: DeserializeOwned + Send> FromRequest<'a> for StaffPublicForm<F> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let form = checked_form(req, body, csrf::valid).await?;
        let page = StaffPublicPage::from_request_without_body(req).await?;
        Ok(StaffPublicForm { page, form })
    }
}

/// A JSON operation for role `R` and above: the staff session cookie set by
/// `POST /staff/auth/login`.
pub struct StaffApi<R: Needs> {
    pub member: StaffSigned,
    role: PhantomData<R>,
}

impl<'a, R: Needs> FromRequest<'a> for StaffApi<R> {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let (state, tenant) = context(req);
        let member = match current(state, tenant, req).await {
            Ok(Some(m)) => m,
            Ok(None) => return Err(ApiError::from(StaffError::NotSignedIn).into()),
            Err(e) => return Err(ApiError::from(e).into()),
        };
        if !member.role.allows(R::ROLE) {
            return Err(ApiError::from(StaffError::Forbidden(R::ROLE)).into());
        }
        Ok(StaffApi {
            member,
            role: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_navigation_shows_only_what_the_role_allows() {
        let labels = |role| {
            navigation("demo", "accueil", role)
                .into_iter()
                .map(|e| e.href)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            labels(Some(Role::Accueil)),
            vec![
                "/demo/gestion/",
                "/demo/gestion/familles",
                "/demo/gestion/messagerie"
            ]
        );
        assert_eq!(labels(Some(Role::Gestionnaire)).len(), 5);
        assert_eq!(labels(Some(Role::Regisseur)).len(), 6);
        assert_eq!(labels(Some(Role::Admin)).len(), 8);
        let texts = "/demo/gestion/textes".to_string();
        assert!(labels(Some(Role::Admin)).contains(&texts));
        assert!(!labels(Some(Role::Regisseur)).contains(&texts));
        assert_eq!(labels(None), vec!["/demo/gestion/connexion"]);
    }
}
