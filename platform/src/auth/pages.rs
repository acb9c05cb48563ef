//! The sign-in pages of the guide (section 1): Connexion, Nouveau mot de passe (request),
//! the page of the mailed link with its three methods, sign-out, and Changer mon mot de passe.
//! Every form works without JavaScript and carries a CSRF token.

use super::api::reset_answer;
use super::csrf;
use super::password_generator::{from_sentence, random_password};
use super::password_policy::{Context, assess};
use super::service::{self, AuthError};
use super::session::{GUARDIAN_SESSION, SESSION_COOKIE, client_address, read_cookie};
use crate::http::errors::{PageError, Problem};
use crate::http::form_errors::{ErrorSummary, FormField};
use crate::http::page::{Frame, Page, PublicForm, SignedInForm, SignedInPage, csrf_refused};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::FieldErrors;
use poem::web::{Data, Form, Query, Redirect};
use poem::{IntoResponse, Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Messages a redirect may ask the sign-in page to show: a fixed list, never text from the URL.
pub(crate) fn info_message(key: &str) -> Option<String> {
    let key = match key {
        "mot-de-passe-cree" => "info-password-created",
        "mot-de-passe-modifie" => "info-password-changed",
        "deconnecte" => "info-signed-out",
        "session-expiree" => "info-session-expired",
        "adresse-modifiee" => "info-email-changed",
        "lien-adresse-envoye" => "email-change-sent",
        "langue" => "account-language-saved",
        "preference-messagerie" => "message-mail-saved",
        _ => return None,
    };
    Some(crate::i18n::t(key))
}

pub(crate) fn see_other(location: String) -> Response {
    Redirect::see_other(location).into_response()
}

pub(crate) fn with_cookie(mut response: Response, cookie: String) -> Response {
    if let Ok(v) = cookie.parse() {
        response.headers_mut().append("set-cookie", v);
    }
    response
}

#[derive(Deserialize)]
pub struct SignInQuery {
    info: Option<String>,
    /// The page first asked for, to return to once signed in.
    retour: Option<String>,
}

/// Where a sign-in may send the parent back: a path of this municipality only (never another
/// site, another municipality or a protocol-relative `//host`), made of plain URL characters.
pub(crate) fn safe_return(slug: &str, raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    let plain = raw
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%#:,".contains(&b));
    let ours = raw.starts_with(&format!("/{slug}/"));
    let tricks = raw.contains("//") || raw.contains("..") || raw.contains('\\');
    (plain && ours && !tricks).then(|| raw.to_string())
}

/// The page model of `connexion.hbs`.
#[derive(Serialize)]
struct SignInPage<'a> {
    email: &'a str,
    info: Option<&'a str>,
    /// Why the sign-in was refused: the shared error summary.
    summary: Option<ErrorSummary>,
    /// Field → message, next to each empty field.
    errors: BTreeMap<String, String>,
    oidc_label: Option<String>,
    retour: Option<String>,
}

/// The id of the sign-in form's error summary (and the anchor the form posts to).
const SIGN_IN_SUMMARY: &str = "connexion-erreur";

/// Why a sign-in is refused: empty fields (each linked to its input), or a sentence.
enum SignInRefusal {
    Missing(FieldErrors),
    Sentence(String),
}

/// The label of the municipality's OpenID Connect button, when it has a provider.
async fn oidc_label(state: &AppState, tenant: &CurrentTenant) -> Result<Option<String>, PageError> {
    let config = crate::tenancy::config(state, tenant).await?;
    Ok(config.oidc.as_ref().map(|o| o.label.clone()))
}

#[allow(clippy::too_many_arguments)] // the page's parts
async fn login_page(
    frame: &Frame,
    tenant: &CurrentTenant,
    state: &AppState,
    email: &str,
    info: Option<&str>,
    refusal: Option<SignInRefusal>,
    retour: Option<String>,
    status: u16,
) -> Result<Response, PageError> {
    let oidc_label = oidc_label(state, tenant).await?;
    let (summary, errors) = match refusal {
        None => (None, BTreeMap::new()),
        Some(SignInRefusal::Sentence(text)) => (
            Some(ErrorSummary::sentence(SIGN_IN_SUMMARY, text)),
            BTreeMap::new(),
        ),
        Some(SignInRefusal::Missing(errors)) => {
            let fields = [
                FormField {
                    key: "email",
                    input: "email".into(),
                    label: crate::i18n::t("common-email"),
                },
                FormField {
                    key: "password",
                    input: "password".into(),
                    label: crate::i18n::t("common-password"),
                },
            ];
            let intro = crate::i18n::t("sign-in-missing");
            (
                ErrorSummary::of(SIGN_IN_SUMMARY, intro, &errors, &fields),
                errors.0,
            )
        }
    };
    let model = SignInPage {
        email,
        info,
        summary,
        errors,
        oidc_label,
        retour,
    };
    Ok(match status {
        200 => frame.render("connexion", "Connexion", "connexion", model),
        _ => frame.render_refused("connexion", "Connexion", "connexion", model, status),
    })
}

/// The empty fields of a sign-in form, said as such (instead of "incorrect": nothing was
/// checked).
fn missing_fields(email: &str, password: &str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    if email.trim().is_empty() {
        errors.add("email", crate::i18n::t("sign-in-missing-email"));
    }
    if password.is_empty() {
        errors.add("password", crate::i18n::t("sign-in-missing-password"));
    }
    errors
}

#[handler]
pub async fn login_form(
    Query(query): Query<SignInQuery>,
    ctx: Page<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
    let info = query.info.as_deref().and_then(info_message);
    let retour = safe_return(tenant.slug(), query.retour.as_deref());
    login_page(
        &frame,
        tenant,
        state,
        "",
        info.as_deref(),
        None,
        retour,
        200,
    )
    .await
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: Option<String>,
    password: Option<String>,
    retour: Option<String>,
}

#[handler]
pub async fn login(ctx: PublicForm<'_, LoginForm>, req: &Request) -> Result<Response, PageError> {
    let (state, tenant, frame, form) = ctx.parts();
    let email = form.email.unwrap_or_default();
    let retour = safe_return(tenant.slug(), form.retour.as_deref());
    let password = form.password.unwrap_or_default();
    let missing = missing_fields(&email, &password);
    if !missing.is_empty() {
        let refusal = Some(SignInRefusal::Missing(missing));
        return login_page(&frame, tenant, state, &email, None, refusal, retour, 422).await;
    }
    let previous = read_cookie(req, SESSION_COOKIE);
    match service::sign_in(
        state,
        tenant,
        &email,
        &password,
        &client_address(req),
        previous.as_deref(),
    )
    .await
    {
        Ok(signed) => Ok(with_cookie(
            see_other(
                retour
                    .clone()
                    .unwrap_or_else(|| format!("/{}/", tenant.slug())),
            ),
            GUARDIAN_SESSION.set(state, tenant.slug(), &signed.session_id),
        )),
        Err(e @ (AuthError::InvalidCredentials | AuthError::Throttled(_))) => {
            let status = e.status().as_u16();
            let mut response = login_page(
                &frame,
                tenant,
                state,
                &email,
                None,
                Some(SignInRefusal::Sentence(e.message())),
                retour,
                status,
            )
            .await?;
            if let AuthError::Throttled(wait) = e {
                response.headers_mut().insert("retry-after", wait.into());
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

#[handler]
pub async fn logout(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Form(form): Form<CsrfOnly>,
    req: &Request,
) -> Result<Response, PageError> {
    if !csrf::valid(req, form.csrf.as_deref()) {
        return Err(csrf_refused());
    }
    if let Some(id) = read_cookie(req, SESSION_COOKIE) {
        state
            .sessions
            .destroy(tenant.slug(), &id)
            .await
            .map_err(PageError::from)?;
    }
    let response = see_other(format!("/{}/connexion?info=deconnecte", tenant.slug()));
    Ok(with_cookie(
        response,
        GUARDIAN_SESSION.clear(state, tenant.slug()),
    ))
}

#[handler]
pub async fn help(ctx: Page<'_>) -> Result<Response, PageError> {
    let (_state, _tenant, frame) = ctx.parts();
    Ok(frame.render(
        "aide_connexion",
        "Aide à la connexion",
        // The help page is not the sign-in page: no menu entry is marked current.
        "",
        EmptyPage {},
    ))
}

#[handler]
pub async fn forgot_form(ctx: Page<'_>) -> Result<Response, PageError> {
    let (_state, _tenant, frame) = ctx.parts();
    Ok(frame.render(
        "mot_de_passe_oublie",
        "Nouveau mot de passe",
        "connexion",
        ForgotPage { sent: None },
    ))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: Option<String>,
}

#[handler]
pub async fn forgot(ctx: PublicForm<'_, ForgotForm>) -> Result<Response, PageError> {
    let (state, tenant, frame, form) = ctx.parts();
    service::request_reset(
        state.clone(),
        tenant.clone(),
        form.email.unwrap_or_default(),
    );
    Ok(frame.render(
        "mot_de_passe_oublie",
        "Nouveau mot de passe",
        "connexion",
        ForgotPage {
            sent: Some(reset_answer()),
        },
    ))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// A page with nothing of its own (the help page).
#[derive(Serialize)]
struct EmptyPage {}

/// The page model of `mot_de_passe_oublie.hbs`: the answer, once the request is sent.
#[derive(Serialize)]
struct ForgotPage {
    sent: Option<String>,
}

/// The page model of `changer_mot_de_passe.hbs`: the shared error summary and each refused
/// field's message.
#[derive(Serialize, Default)]
struct ChangePasswordPage {
    summary: Option<ErrorSummary>,
    errors: BTreeMap<String, String>,
}

impl ChangePasswordPage {
    /// `e` said next to the field it is about: the current password or the new one.
    fn refused(e: &AuthError) -> Self {
        let mut errors = FieldErrors::default();
        let key = match e {
            AuthError::WrongCurrentPassword => "current_password",
            _ => "new_password",
        };
        errors.add(key, e.message());
        let fields = [
            FormField {
                key: "current_password",
                input: "current".into(),
                label: crate::i18n::t("password-current"),
            },
            FormField {
                key: "new_password",
                input: "password".into(),
                label: crate::i18n::t("password-new"),
            },
        ];
        let intro = crate::i18n::t("form-refused");
        ChangePasswordPage {
            summary: ErrorSummary::of("changer-erreur", intro, &errors, &fields),
            errors: errors.0,
        }
    }
}

/// The summary of a refused new password (the mailed link's page): its one field.
fn new_password_summary(message: String) -> ErrorSummary {
    let mut errors = FieldErrors::default();
    errors.add("password", message);
    let fields = [FormField {
        key: "password",
        input: "password".into(),
        label: crate::i18n::t("password-new"),
    }];
    ErrorSummary::of(
        "creation-erreur",
        crate::i18n::t("form-refused"),
        &errors,
        &fields,
    )
    .expect("one error")
}

/// The page model of `nouveau_mot_de_passe.hbs`: the mailed link's token, or why it is not
/// valid, and the passwords generated by choices 2 and 3.
#[derive(Serialize, Default)]
struct NewPasswordPage {
    token: String,
    invalid: Option<String>,
    /// The refused password's summary; its message is also said next to the field.
    summary: Option<ErrorSummary>,
    error: Option<String>,
    random: Option<Generated>,
    sentence: SentenceChoice,
}

#[derive(Serialize)]
struct Generated {
    password: String,
    entropy_bits: f64,
}

/// Choice 3: the sentence typed, and the password made of it or why it is refused.
#[derive(Serialize, Default)]
struct SentenceChoice {
    text: String,
    error: Option<String>,
    password: Option<String>,
    entropy_bits: Option<f64>,
}

impl NewPasswordPage {
    fn invalid_link() -> Self {
        NewPasswordPage {
            invalid: Some(AuthError::InvalidToken.message()),
            ..Default::default()
        }
    }
}

/// The page of the mailed link. It sends no referrer, so the token never leaks to another site.
fn new_password_page(frame: &Frame, model: NewPasswordPage, status: u16) -> Response {
    let mut response = frame.render_with_status(
        "nouveau_mot_de_passe",
        "Créer votre mot de passe",
        "connexion",
        model,
        status,
    );
    response.headers_mut().insert(
        "referrer-policy",
        poem::http::HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The mailed link's page for `token`, with what `fill` adds to it; while the token is not
/// live (unknown, used or expired), the page that says so.
async fn live_link_page(
    page: Page<'_>,
    token: String,
    fill: impl FnOnce(&mut NewPasswordPage),
) -> Result<Response, PageError> {
    let (state, tenant, frame) = page.parts();
    if !service::token_is_live(state, tenant, &token)
        .await
        .map_err(PageError::from)?
    {
        return Ok(new_password_page(
            &frame,
            NewPasswordPage::invalid_link(),
            400,
        ));
    }
    let mut model = NewPasswordPage {
        token,
        ..Default::default()
    };
    fill(&mut model);
    Ok(new_password_page(&frame, model, 200))
}

#[handler]
pub async fn new_password_form(
    Query(query): Query<TokenQuery>,
    ctx: Page<'_>,
) -> Result<Response, PageError> {
    live_link_page(ctx, query.token.unwrap_or_default(), |_| {}).await
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    token: Option<String>,
    password: Option<String>,
}

#[handler]
pub async fn new_password(ctx: PublicForm<'_, NewPasswordForm>) -> Result<Response, PageError> {
    let (state, tenant, frame, form) = ctx.parts();
    let token = form.token.unwrap_or_default();
    match service::confirm_reset(state, tenant, &token, &form.password.unwrap_or_default()).await {
        Ok(()) => Ok(see_other(format!(
            "/{}/connexion?info=mot-de-passe-cree",
            tenant.slug()
        ))),
        Err(AuthError::InvalidToken) => Ok(new_password_page(
            &frame,
            NewPasswordPage::invalid_link(),
            400,
        )),
        Err(e @ AuthError::PasswordRefused(_)) => {
            let model = NewPasswordPage {
                token,
                summary: Some(new_password_summary(e.message())),
                error: Some(e.message()),
                ..Default::default()
            };
            Ok(new_password_page(&frame, model, 422))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct GenerateForm {
    token: Option<String>,
    method: Option<String>,
    sentence: Option<String>,
}

/// Choices 2 and 3: shows a generated password, which the parent then confirms.
#[handler]
pub async fn generate(ctx: PublicForm<'_, GenerateForm>) -> Result<Response, PageError> {
    let PublicForm { page, form } = ctx;
    let token = form.token.unwrap_or_default();
    live_link_page(page, token, |model| {
        if form.method.as_deref() == Some("sentence") {
            model.sentence = sentence_choice(form.sentence.unwrap_or_default());
        } else {
            let (password, a) = random_password(&Context::default());
            model.random = Some(Generated {
                password,
                entropy_bits: a.entropy_bits,
            });
        }
    })
    .await
}

/// Choice 3: a password made of the parent's sentence, or why it is refused.
fn sentence_choice(typed: String) -> SentenceChoice {
    let text: String = typed.chars().take(1000).collect();
    if text.trim().is_empty() {
        return SentenceChoice {
            text,
            error: Some(crate::i18n::t("create-sentence-empty")),
            ..Default::default()
        };
    }
    let password = from_sentence(&text);
    let a = assess(&password, &Context::default());
    if a.accepted() {
        return SentenceChoice {
            text,
            entropy_bits: Some(a.entropy_bits),
            password: Some(password),
            error: None,
        };
    }
    let why = a
        .refusals
        .iter()
        .map(|r| r.message())
        .collect::<Vec<_>>()
        .join(" ");
    let error = crate::i18n::t_args(
        "create-sentence-refused",
        &[("password", password.as_str().into()), ("why", why.into())],
    );
    SentenceChoice {
        text,
        error: Some(error),
        ..Default::default()
    }
}

#[handler]
pub async fn change_form(ctx: SignedInPage<'_>) -> Response {
    let frame = ctx.frame;
    frame.render(
        "changer_mot_de_passe",
        "Changer mon mot de passe",
        "",
        ChangePasswordPage::default(),
    )
}

#[derive(Deserialize)]
pub struct ChangeForm {
    current_password: Option<String>,
    new_password: Option<String>,
}

#[handler]
pub async fn change(ctx: SignedInForm<'_, ChangeForm>) -> Result<Response, PageError> {
    let (state, tenant, frame, account, form) = ctx.parts();
    let result = service::change_password(
        state,
        tenant,
        account.guardian_id,
        &form.current_password.unwrap_or_default(),
        &form.new_password.unwrap_or_default(),
    )
    .await;
    match result {
        Ok(()) => Ok(with_cookie(
            see_other(format!(
                "/{}/connexion?info=mot-de-passe-modifie",
                tenant.slug()
            )),
            GUARDIAN_SESSION.clear(state, tenant.slug()),
        )),
        Err(e @ (AuthError::PasswordRefused(_) | AuthError::WrongCurrentPassword)) => Ok(frame
            .render_with_status(
                "changer_mot_de_passe",
                "Changer mon mot de passe",
                "",
                ChangePasswordPage::refused(&e),
                422,
            )),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::page::render_sample;

    #[tokio::test]
    async fn the_password_pages_render_from_their_models() {
        let html = render_sample("aide_connexion", EmptyPage {}).await;
        assert!(html.contains("/demo/"));
        let html = render_sample(
            "mot_de_passe_oublie",
            ForgotPage {
                sent: Some("Envoyé <ok>".into()),
            },
        )
        .await;
        assert!(html.contains("Envoyé &lt;ok&gt;"));
        let html = render_sample(
            "changer_mot_de_passe",
            ChangePasswordPage::refused(&AuthError::WrongCurrentPassword),
        )
        .await;
        assert!(html.contains("href=\"#current\"") && html.contains("id=\"current-erreur\""));
        let expired = NewPasswordPage {
            invalid: Some("Lien <périmé>".into()),
            ..Default::default()
        };
        let html = render_sample("nouveau_mot_de_passe", expired).await;
        assert!(html.contains("Lien &lt;périmé&gt;"));
        let live = NewPasswordPage {
            token: "jeton".into(),
            random: Some(Generated {
                password: "Abc<def>".into(),
                entropy_bits: 90.0,
            }),
            sentence: sentence_choice("le chat dort sur le canapé rouge".into()),
            ..Default::default()
        };
        let html = render_sample("nouveau_mot_de_passe", live).await;
        assert!(html.contains("jeton") && html.contains("Abc&lt;def&gt;"));
    }
}
