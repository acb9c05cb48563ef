//! `PATCH /{slug}/api/v1/me {"locale": "en"}`: the signed-in guardian's language.

use super::repository::save_preference;
use super::{Locale, middleware::offered, t, t_args};
use crate::auth::api::SessionCookie;
use crate::auth::csrf::origin_allowed;
use crate::http::api_errors::ErrorBody;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use std::sync::Arc;

#[derive(Tags)]
enum ApiTags {
    /// The signed-in guardian.
    Account,
}

/// The guardian's settings that may change.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct MePatch {
    /// The language of pages, mails and messages: `fr` or `en`, among the municipality's.
    locale: String,
}

#[derive(Object)]
pub struct MeSettings {
    /// The saved language.
    locale: String,
}

#[derive(ApiResponse)]
pub enum PatchMeResponse {
    #[oai(status = 200)]
    Ok(Json<MeSettings>),
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// `unsupported_locale`: not a language of this municipality.
    #[oai(status = 422)]
    Unsupported(Json<ErrorBody>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

pub struct LocaleApi {
    pub state: Arc<AppState>,
}

#[OpenApi(tag = "ApiTags::Account")]
impl LocaleApi {
    /// Save the signed-in guardian's language. Messages of this answer are already in it.
    #[oai(path = "/:slug/api/v1/me", method = "patch", operation_id = "patchMe")]
    async fn patch_me(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        tenant: Data<&CurrentTenant>,
        req: &Request,
        session: SessionCookie,
        body: Json<MePatch>,
    ) -> PatchMeResponse {
        if !origin_allowed(&self.state, req) {
            return PatchMeResponse::Forbidden(Json(ErrorBody {
                code: "forbidden_origin".into(),
                message: t("error-forbidden-origin"),
            }));
        }
        let offered = offered(&self.state, &tenant).await;
        let Some(locale) = Locale::parse(&body.locale)
            .filter(|l| l.code() == body.locale.to_ascii_lowercase() && offered.contains(l))
        else {
            let list = offered
                .iter()
                .map(|l| l.code())
                .collect::<Vec<_>>()
                .join(", ");
            return PatchMeResponse::Unsupported(Json(ErrorBody {
                code: "unsupported_locale".into(),
                message: t_args("error-unsupported-locale", &[("locales", list.into())]),
            }));
        };
        match save_preference(&self.state, &tenant, &session.0, locale, "api").await {
            Ok(()) => PatchMeResponse::Ok(Json(MeSettings {
                locale: locale.code().into(),
            })),
            Err(e) => {
                tracing::warn!(error = %e, "language preference not saved");
                PatchMeResponse::Unavailable(Json(ErrorBody {
                    code: "unavailable".into(),
                    message: super::translate(locale, "error-unavailable", &[]),
                }))
            }
        }
    }
}
