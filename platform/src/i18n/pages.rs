//! The language switch of the page footer and the language choice of "Mon compte".

use super::repository::save_preference;
use super::{LANG_COOKIE, Locale, middleware::offered};
use crate::auth::session::signed_in;
use crate::http::errors::{Failure, PageError};
use crate::http::page::SignedInForm;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Path, Query, Redirect};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct SwitchQuery {
    retour: Option<String>,
}

/// `GET /{slug}/langue/{code}?retour=/{slug}/…`: a plain link, so it works without script.
/// The choice is kept in the `lang` cookie of the municipality's path and, for a signed-in
/// guardian, as their saved language. Back to `retour` when it is a page of the same
/// municipality, else its home page: never an open redirect.
#[handler]
pub async fn switch(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Path((_, code)): Path<(String, String)>,
    Query(query): Query<SwitchQuery>,
    req: &Request,
) -> Result<Response, PageError> {
    let slug = tenant.slug();
    let locale = Locale::parse(&code)
        .filter(|l| l.code() == code)
        .ok_or(PageError::from(Failure::NotFound))?;
    if !offered(state, tenant).await.contains(&locale) {
        return Err(PageError::from(Failure::NotFound));
    }
    if let Ok(Some(signed)) = signed_in(state, tenant, req).await
        && let Err(e) = save_preference(state, tenant, &signed, locale, "page").await
    {
        tracing::warn!(error = %e, "language preference not saved");
    }
    let back = return_path(slug, query.retour.as_deref());
    let mut response = Redirect::see_other(back).into_response();
    if let Ok(v) = lang_cookie(state, slug, locale).parse() {
        response.headers_mut().append("set-cookie", v);
    }
    Ok(response)
}

/// `retour` when it is a path of this municipality (`/{slug}/…`, no scheme, no `//`).
pub fn return_path(slug: &str, retour: Option<&str>) -> String {
    let home = format!("/{slug}/");
    match retour {
        Some(r)
            if (r.starts_with(&home) || r == format!("/{slug}"))
                && !r.contains("//")
                && !r.contains('\\')
                && !r.chars().any(char::is_control) =>
        {
            r.to_string()
        }
        _ => home,
    }
}

fn lang_cookie(state: &AppState, slug: &str, locale: Locale) -> String {
    let secure = if state.settings.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{LANG_COOKIE}={}; Path=/{slug}/; SameSite=Lax; Max-Age=31536000{secure}",
        locale.code()
    )
}

#[derive(Deserialize)]
pub struct PreferenceForm {
    locale: Option<String>,
}

/// `POST /{slug}/mon-compte/langue`: the language selector of "Mon compte".
#[handler]
pub async fn save(
    SignedInForm {
        state,
        tenant,
        signed,
        form,
        ..
    }: SignedInForm<'_, PreferenceForm>,
) -> Result<Response, PageError> {
    let offered = offered(state, tenant).await;
    let Some(locale) = form
        .locale
        .as_deref()
        .and_then(Locale::parse)
        .filter(|l| offered.contains(l))
    else {
        return Ok(Redirect::see_other(format!("/{}/mon-compte", tenant.slug())).into_response());
    };
    save_preference(state, tenant, &signed, locale, "page").await?;
    Ok(Redirect::see_other(format!("/{}/mon-compte?info=langue", tenant.slug())).into_response())
}

#[cfg(test)]
mod tests {
    use super::return_path;

    #[test]
    fn the_switch_returns_only_to_a_page_of_the_same_municipality() {
        assert_eq!(
            return_path("demo", Some("/demo/foyer?x=1")),
            "/demo/foyer?x=1"
        );
        assert_eq!(return_path("demo", Some("/demo")), "/demo");
        assert_eq!(return_path("demo", Some("/autre/foyer")), "/demo/");
        assert_eq!(
            return_path("demo", Some("https://evil.example/demo/")),
            "/demo/"
        );
        assert_eq!(return_path("demo", Some("/demo//evil.example")), "/demo/");
        assert_eq!(return_path("demo", Some("/demo/\\evil")), "/demo/");
        assert_eq!(return_path("demo", Some("/demox/")), "/demo/");
        assert_eq!(return_path("demo", None), "/demo/");
    }
}
