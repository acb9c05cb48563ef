//! The back-office home: the families' summary, today's counts for a gestionnaire.

use super::counts::{CountsPage, counts_model, day_of};
use crate::http::errors::PageError;
use crate::i18n::t;
use crate::staff::auth::StaffSigned;
use crate::staff::guard::StaffPage;
use crate::staff::{Accueil, Role, counts, families};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::Data;
use poem::{Response, handler};
use serde::Serialize;
use std::sync::Arc;

#[derive(Serialize)]
pub struct HomePage {
    pub name: String,
    pub role: String,
    pub is_admin: bool,
    pub summary: families::Summary,
    /// Today's counts, for `gestionnaire` and above.
    pub counts: Option<CountsPage>,
}

pub(super) fn home_model(
    member: &StaffSigned,
    summary: families::Summary,
    counts: Option<CountsPage>,
) -> HomePage {
    HomePage {
        name: member.name.clone(),
        role: member.role.label(),
        is_admin: member.role.allows(Role::Admin),
        summary,
        counts,
    }
}

#[handler]
pub async fn home(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let summary = families::summary(state, tenant).await?;
    let counts = if page.member.role.allows(Role::Gestionnaire) {
        let today = day_of(state, None);
        Some(counts_model(
            today,
            counts::counts(state, tenant, today).await?,
        ))
    } else {
        None
    };
    Ok(page.frame.render(
        "staff_accueil",
        &t("title-staff-home"),
        "accueil",
        &home_model(&page.member, summary, counts),
        200,
    ))
}
