//! What every page of a municipality shares: its banner (name, navigation, who is signed in),
//! the CSRF token of its forms, and the headers of personal pages.
//!
//! The guards of a page are extractors, so a handler only extracts, calls one service and
//! maps the result:
//!
//! | extractor | for | refuses with |
//! |---|---|---|
//! | [`Page`] | any visitor's page | 503 page when Redis is down |
//! | [`PublicForm<F>`] | a form anyone may send (sign-in…) | 403 page without the CSRF token |
//! | [`SignedInPage`] | a signed-in guardian's page | redirect to `/{slug}/connexion` |
//! | [`SignedInForm<F>`] | a signed-in guardian's form | 403 page (CSRF), then redirect to `/{slug}/connexion?info=session-expiree` |
//! | [`SignedInUpload`] | a multipart form (CSRF read in the stream) | redirect with `info=session-expiree` |
//! | [`PathId`] | the `:id` of the path | the French 404 page |
//!
//! Each gives its parts with `.parts()`: `(state, tenant, frame, signed[, form])`. The JSON
//! API has its own guards: `auth::api::SignedInApi` (session) and `http::origin` (Origin).

use super::errors::{Failure, PageError};
use crate::auth::csrf;
use crate::auth::session::{SignedIn, signed_in};
use crate::state::AppState;
use crate::templates::{self, navigation};
use crate::tenancy::CurrentTenant;
use poem::web::{Form, Redirect};
use poem::{FromRequest, IntoResponse, Request, RequestBody, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

/// The frame of a page: built once per request, rendered around the page's own data.
pub struct Frame {
    pub slug: String,
    pub tenant_name: String,
    pub account: Option<SignedIn>,
    pub csrf: String,
    set_csrf_cookie: Option<String>,
    /// The services' answers the signed-in guardian has not read: the banner's count.
    pub unread_messages: i64,
}

impl Frame {
    /// Reads the session once (Redis down → 503 page, never an anonymous page), the CSRF
    /// cookie and, for a signed-in guardian, the banner's unread count in a transaction of
    /// its own.
    pub async fn load(
        state: &AppState,
        tenant: &CurrentTenant,
        req: &Request,
    ) -> Result<Self, PageError> {
        let frame = UncountedFrame::load(state, tenant, req).await?;
        Ok(Frame::load_count(frame, state, tenant).await)
    }

    /// The frame of a page that, after all, reads nothing of its own (a refusal): the count
    /// in a transaction of its own.
    pub async fn load_count(
        frame: UncountedFrame,
        state: &AppState,
        tenant: &CurrentTenant,
    ) -> Frame {
        let mut frame = frame.0;
        if let Some(a) = &frame.account {
            frame.unread_messages = crate::messaging::pages::banner_unread(state, tenant, a).await;
        }
        frame
    }

    /// A visitor's frame for render tests of page models: a municipality named with markup,
    /// so escaping shows.
    #[cfg(test)]
    pub(crate) fn sample() -> Self {
        Frame {
            slug: "demo".into(),
            tenant_name: "Mairie <de> Démo".into(),
            account: None,
            csrf: "tok".into(),
            set_csrf_cookie: None,
            unread_messages: 0,
        }
    }

    /// Renders a page of the municipality's layout; `model` is the page's typed model (a
    /// `#[derive(Serialize)]` struct whose fields the template reads in strict mode).
    pub fn render(
        &self,
        template: &str,
        title: &str,
        current: &str,
        model: impl serde::Serialize,
    ) -> Response {
        self.render_with_status(template, title, current, model, 200)
    }

    /// As [`render`](Self::render), with the status of the answer.
    pub fn render_with_status(
        &self,
        template: &str,
        title: &str,
        current: &str,
        model: impl serde::Serialize,
        status: u16,
    ) -> Response {
        let refused = super::form_errors::is_refusal(status);
        self.render_titled(template, title, current, model, status, refused)
    }

    /// A refused form whose status is not one of [`is_refusal`](super::form_errors::is_refusal)'s
    /// (a sign-in refused with 401 or 429): its title starts with "Erreur : " too.
    pub fn render_refused(
        &self,
        template: &str,
        title: &str,
        current: &str,
        model: impl serde::Serialize,
        status: u16,
    ) -> Response {
        self.render_titled(template, title, current, model, status, true)
    }

    fn render_titled(
        &self,
        template: &str,
        title: &str,
        current: &str,
        model: impl serde::Serialize,
        status: u16,
        refused: bool,
    ) -> Response {
        // A refused form says so first in the title, the first words a screen reader reads.
        let title = if refused {
            crate::i18n::t_args("title-refused", &[("title", title.into())])
        } else {
            title.to_string()
        };
        let frame = json!({
            "title": title,
            "tenant": { "slug": self.slug, "name": self.tenant_name },
            "nav": with_unread(navigation(&self.slug, current, self.account.is_some()), self.unread_messages),
            "account": self
                .account
                .as_ref()
                .and_then(|a| a.name.as_ref())
                .map(|n| json!({
                    "name": n,
                    "href": format!("/{}/mon-compte", self.slug),
                    "signout": format!("/{}/deconnexion", self.slug),
                })),
            "csrf": self.csrf,
        });
        let cookie = self.set_csrf_cookie.as_deref();
        templates::page_response(template, frame, model, status, cookie)
    }
}

/// The frame of a page whose own transaction reads the banner's unread count (the busiest
/// pages: home, dashboard, "Mes factures", the booking grid), so the count costs no
/// transaction of its own. It renders only once the count is given ([`counted`](Self::counted)).
pub struct UncountedFrame(Frame);

impl UncountedFrame {
    async fn load(
        state: &AppState,
        tenant: &CurrentTenant,
        req: &Request,
    ) -> Result<Self, PageError> {
        let account = signed_in(state, tenant, req).await?;
        let (csrf, set_csrf_cookie) = csrf::form_token(
            state,
            tenant.slug(),
            req,
            account.as_ref().map(|a| a.session_id.as_str()),
        );
        Ok(UncountedFrame(Frame {
            slug: tenant.slug().to_string(),
            tenant_name: tenant.0.name.clone(),
            account,
            csrf,
            set_csrf_cookie,
            unread_messages: 0,
        }))
    }

    /// Who is signed in, if anyone.
    pub fn account(&self) -> Option<&SignedIn> {
        self.0.account.as_ref()
    }

    pub fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The frame, with the unread count the page read in its transaction.
    pub fn counted(mut self, unread_messages: i64) -> Frame {
        self.0.unread_messages = unread_messages;
        self.0
    }

    /// The frame of a visitor not signed in (no count to read).
    pub fn anonymous(self) -> Result<Frame, Box<Self>> {
        match self.0.account {
            None => Ok(self.0),
            Some(_) => Err(Box::new(self)),
        }
    }
}

/// What the page extractors load before the handler: a [`Frame`] (the banner's count read in a
/// transaction of its own) or an [`UncountedFrame`] (read by the page's own transaction).
pub trait LoadedFrame: Sized + Send {
    /// The frame out of the request's uncounted one: counted now, or left for the page.
    fn from_uncounted(
        frame: UncountedFrame,
        state: &AppState,
        tenant: &CurrentTenant,
    ) -> impl std::future::Future<Output = Self> + Send;

    /// Who is signed in, if anyone.
    fn signed_in(&self) -> Option<&SignedIn>;
}

impl LoadedFrame for Frame {
    async fn from_uncounted(
        frame: UncountedFrame,
        state: &AppState,
        tenant: &CurrentTenant,
    ) -> Self {
        Frame::load_count(frame, state, tenant).await
    }

    fn signed_in(&self) -> Option<&SignedIn> {
        self.account.as_ref()
    }
}

impl LoadedFrame for UncountedFrame {
    async fn from_uncounted(frame: UncountedFrame, _: &AppState, _: &CurrentTenant) -> Self {
        frame
    }

    fn signed_in(&self) -> Option<&SignedIn> {
        self.account()
    }
}

/// The frame of the request as the extractor `F` wants it.
async fn load_frame<F: LoadedFrame>(
    state: &AppState,
    tenant: &CurrentTenant,
    req: &Request,
) -> Result<F, PageError> {
    let frame = UncountedFrame::load(state, tenant, req).await?;
    Ok(F::from_uncounted(frame, state, tenant).await)
}

/// A frame whose count will be read again (a form's answer drawn by a page that reads it).
impl From<Frame> for UncountedFrame {
    fn from(frame: Frame) -> Self {
        UncountedFrame(frame)
    }
}

/// The banner's "Messagerie" entry with its unread count, when there is one.
fn with_unread(mut nav: Value, unread: i64) -> Value {
    if unread > 0
        && let Some(entries) = nav.as_array_mut()
    {
        for e in entries.iter_mut().filter(|e| {
            e["href"]
                .as_str()
                .is_some_and(|h| h.ends_with("/messagerie"))
        }) {
            e["badge"] = unread.into();
            e["badge_label"] =
                crate::i18n::t_args("nav-messages-unread", &[("count", unread.into())]).into();
        }
    }
    nav
}

/// The state and tenant every request of a municipality carries.
pub(crate) fn context(req: &Request) -> (&Arc<AppState>, &CurrentTenant) {
    let state = req
        .data::<Arc<AppState>>()
        .expect("state is added to every request");
    let tenant = req
        .data::<CurrentTenant>()
        .expect("tenant resolved before routing");
    (state, tenant)
}

fn redirect(location: String) -> poem::Error {
    poem::Error::from_response(Redirect::see_other(location).into_response())
}

/// A page for any visitor: the state and municipality of the request and the page's frame.
pub struct Page<'a, F = Frame> {
    pub state: &'a Arc<AppState>,
    pub tenant: &'a CurrentTenant,
    pub frame: F,
}

impl<'a, F> Page<'a, F> {
    /// (state, tenant, frame).
    pub fn parts(self) -> (&'a Arc<AppState>, &'a CurrentTenant, F) {
        (self.state, self.tenant, self.frame)
    }
}

impl<'a, F: LoadedFrame> FromRequest<'a> for Page<'a, F> {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let (state, tenant) = context(req);
        let frame = load_frame::<F>(state, tenant, req).await?;
        Ok(Page {
            state,
            tenant,
            frame,
        })
    }
}

/// [`Page`] whose handler reads the banner's count in its own transaction.
pub type UncountedPage<'a> = Page<'a, UncountedFrame>;

/// The form of a page for any visitor (sign-in, forgotten password…), read as `F` once its
/// CSRF token is checked (403 page otherwise).
pub struct PublicForm<'a, F> {
    pub page: Page<'a>,
    pub form: F,
}

impl<'a, F> PublicForm<'a, F> {
    /// (state, tenant, frame, the form).
    pub fn parts(self) -> (&'a Arc<AppState>, &'a CurrentTenant, Frame, F) {
        let (state, tenant, frame) = self.page.parts();
        (state, tenant, frame, self.form)
    }
}

impl<'a, F: DeserializeOwned + Send> FromRequest<'a> for PublicForm<'a, F> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let form = checked_form(req, body, csrf::valid).await?;
        let page = Page::from_request_without_body(req).await?;
        Ok(PublicForm { page, form })
    }
}

/// The form of the request read as `F`, once its `csrf` field passes `valid`.
pub(crate) async fn checked_form<F: DeserializeOwned>(
    req: &Request,
    body: &mut RequestBody,
    valid: fn(&Request, Option<&str>) -> bool,
) -> poem::Result<F> {
    let bytes = body.take()?.into_vec().await?;
    let read = |bytes: &Vec<u8>| RequestBody::new(poem::Body::from(bytes.clone()));
    let Form(form) = Form::<F>::from_request(req, &mut read(&bytes)).await?;
    let token = Form::<CsrfField>::from_request(req, &mut read(&bytes))
        .await
        .ok()
        .and_then(|Form(f)| f.csrf);
    if !valid(req, token.as_deref()) {
        return Err(csrf_refused().into());
    }
    Ok(form)
}

/// A page for signed-in guardians: the state and municipality of the request, the page's
/// frame and who is signed in. Without a session, the answer is the way to the sign-in page.
pub struct SignedInPage<'a, F = Frame> {
    pub state: &'a Arc<AppState>,
    pub tenant: &'a CurrentTenant,
    pub frame: F,
    pub signed: SignedIn,
}

impl<'a, F> SignedInPage<'a, F> {
    /// (state, tenant, frame, who is signed in).
    pub fn parts(self) -> (&'a Arc<AppState>, &'a CurrentTenant, F, SignedIn) {
        (self.state, self.tenant, self.frame, self.signed)
    }
}

impl<'a, F: LoadedFrame> FromRequest<'a> for SignedInPage<'a, F> {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        signed_in_page(req, "").await
    }
}

async fn signed_in_page<'a, F: LoadedFrame>(
    req: &'a Request,
    query: &str,
) -> poem::Result<SignedInPage<'a, F>> {
    let (state, tenant) = context(req);
    // A page asked for while signed out: the sign-in page brings the parent back to it.
    let back;
    let query = if query.is_empty() {
        back = format!("?retour={}", encode(&path_and_query(req)));
        back.as_str()
    } else {
        query
    };
    let (frame, signed) = signed_in_frame(req, query).await?;
    Ok(SignedInPage {
        state,
        tenant,
        frame,
        signed,
    })
}

/// [`SignedInPage`] whose handler reads the banner's count in its own transaction.
pub type UncountedSignedInPage<'a> = SignedInPage<'a, UncountedFrame>;

/// A multipart form of a signed-in page (its CSRF token is checked while it is read): who
/// sends it, known before a byte of the body is read; without a session, back to the
/// sign-in page, which says the session has ended.
pub struct SignedInUpload<'a>(pub SignedInPage<'a>);

impl<'a> FromRequest<'a> for SignedInUpload<'a> {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        signed_in_page(req, SESSION_ENDED).await.map(SignedInUpload)
    }
}

fn path_and_query(req: &Request) -> String {
    req.uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string())
}

/// Percent-encodes a path for a query value (what is not a plain URL character).
fn encode(raw: &str) -> String {
    super::url::percent_encode(raw, b"/")
}

/// What the sign-in page is asked to say when a form comes after its session ended.
const SESSION_ENDED: &str = "?info=session-expiree";

/// The frame and who is signed in; without a session, the sign-in page with `query`.
async fn signed_in_frame<F: LoadedFrame>(
    req: &Request,
    query: &str,
) -> poem::Result<(F, SignedIn)> {
    let (state, tenant) = context(req);
    let frame = load_frame::<F>(state, tenant, req).await?;
    match frame.signed_in().cloned() {
        Some(signed) => Ok((frame, signed)),
        None => Err(redirect(format!("/{}/connexion{query}", tenant.slug()))),
    }
}

/// The form of a signed-in page, read as `F`: its CSRF token is checked first (403 page),
/// then the session (ended: back to the sign-in page, which says so).
pub struct SignedInForm<'a, F> {
    pub state: &'a Arc<AppState>,
    pub tenant: &'a CurrentTenant,
    pub frame: Frame,
    pub signed: SignedIn,
    pub form: F,
}

#[derive(Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

/// (state, tenant, frame, who is signed in, the form).
type FormParts<'a, F> = (&'a Arc<AppState>, &'a CurrentTenant, Frame, SignedIn, F);

impl<'a, F> SignedInForm<'a, F> {
    pub fn parts(self) -> FormParts<'a, F> {
        (self.state, self.tenant, self.frame, self.signed, self.form)
    }
}

impl<'a, F: DeserializeOwned + Send> FromRequest<'a> for SignedInForm<'a, F> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        // Only the token bound to this session: a planted cookie and field do not pass.
        let form = checked_form(req, body, csrf::valid_for_session).await?;
        let (state, tenant) = context(req);
        let (frame, signed) = signed_in_frame(req, SESSION_ENDED).await?;
        Ok(SignedInForm {
            state,
            tenant,
            frame,
            signed,
            form,
        })
    }
}

/// The `:id` of a page's path: anything but a UUID is the French 404 page.
pub struct PathId(pub Uuid);

impl<'a> FromRequest<'a> for PathId {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let id = req.raw_path_param("id").unwrap_or_default();
        Ok(PathId(parse_id(id)?))
    }
}

/// An id read from a page's path or form: not a UUID is the French 404 page.
pub fn parse_id(raw: &str) -> Result<Uuid, PageError> {
    raw.parse().map_err(|_| PageError::from(Failure::NotFound))
}

/// A form whose CSRF token does not match: 403 with a way forward.
pub fn csrf_refused() -> PageError {
    PageError::from(Failure::FormExpired)
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

/// Renders a page model in its template, strictly (a missing key fails), as the page would be
/// sent: for the render tests of each feature's page models.
#[cfg(test)]
pub(crate) async fn render_sample(template: &str, model: impl serde::Serialize) -> String {
    let response = Frame::sample().render(template, "Titre", "", model);
    response.into_body().into_string().await.unwrap()
}
