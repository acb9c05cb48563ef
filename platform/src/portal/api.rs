//! `GET /{slug}/api/v1/portal`: the municipality's public portal information.

use super::service::texts;
use crate::http::errors::{ApiError, Fault};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};
use std::sync::Arc;

#[derive(Tags)]
enum ApiTags {
    /// The municipality's portal: name, welcome text, contact.
    Portal,
}

#[derive(Object)]
struct ContactDto {
    address: String,
    postal_code: String,
    city: String,
    phone: String,
    email: String,
    fax: Option<String>,
    website: Option<String>,
}

#[derive(Object)]
struct PortalDto {
    /// The municipality's slug, first segment of every URL of its portal.
    slug: String,
    name: String,
    /// School holiday zone: A, B or C.
    holiday_zone: String,
    welcome_title: String,
    /// The welcome text, rendered from Markdown to safe HTML.
    welcome_html: String,
    reservation_notice: String,
    contact: ContactDto,
}

pub struct PortalApi {
    pub state: Arc<AppState>,
}

#[OpenApi(tag = "ApiTags::Portal")]
impl PortalApi {
    /// The municipality's portal information. An unknown slug answers 404
    /// (`tenant_not_found`) before this operation.
    #[oai(path = "/:slug/api/v1/portal", method = "get", operation_id = "portal")]
    async fn portal(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        tenant: Data<&CurrentTenant>,
    ) -> Result<Json<Box<PortalDto>>, ApiError<Fault>> {
        let t = texts(&self.state, &tenant).await?;
        Ok(Json(Box::new(PortalDto {
            slug: tenant.slug().to_string(),
            name: t.name,
            holiday_zone: t.holiday_zone,
            welcome_title: t.welcome_title,
            welcome_html: t.welcome_html,
            reservation_notice: t.reservation_notice,
            contact: ContactDto {
                address: t.contact.address,
                postal_code: t.contact.postal_code,
                city: t.contact.city,
                phone: t.contact.phone,
                email: t.contact.email,
                fax: t.contact.fax,
                website: t.contact.website,
            },
        })))
    }
}
