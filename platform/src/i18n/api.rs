//! `PATCH /{slug}/api/v1/me {"locale": "en"}`: the signed-in guardian's language.

use super::repository::{PreferenceError, save_preference};
use super::{Locale, middleware::offered};
use crate::auth::api::SignedInApi;
use crate::http::errors::ApiError;
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};
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

pub struct LocaleApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Account")]
    impl LocaleApi {
        /// Save the signed-in guardian's language; the messages of this answer are already in it.
        #[op("patch", "/:slug/api/v1/me", "patchMe")]
        async fn patch_me(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
            body: Json<MePatch>,
        ) -> Result<Json<MeSettings>, ApiError<PreferenceError>> {
            let offered = offered(&self.state, &tenant).await;
            let locale = Locale::parse(&body.locale)
                .filter(|l| l.code() == body.locale && offered.contains(l))
                .ok_or(PreferenceError::Unsupported(offered))?;
            save_preference(&self.state, &tenant, &signed, locale, "api").await?;
            Ok(Json(MeSettings {
                locale: locale.code().into(),
            }))
        }
    }
}
