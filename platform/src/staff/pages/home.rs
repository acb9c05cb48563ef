//! The back-office home: the families' summary, today's counts for a gestionnaire.

use super::counts::{CountsPage, counts_model, day_of};
use crate::http::errors::PageError;
use crate::staff::auth::StaffSigned;
use crate::staff::guard::{StaffPage, StaffView};
use crate::staff::{Accueil, Role, counts, families};
use poem::{Response, handler};
use serde::Serialize;

#[derive(Serialize)]
pub struct HomePage {
    pub name: String,
    pub role: String,
    pub is_admin: bool,
    pub summary: families::Summary,
    /// Today's counts, for `gestionnaire` and above.
    pub counts: Option<CountsPage>,
}

const HOME: StaffView = StaffView {
    template: "staff_accueil",
    title: "title-staff-home",
    nav: "accueil",
};

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
pub async fn home(page: StaffPage<Accueil>) -> Result<Response, PageError> {
    let summary = families::summary(&page.state, &page.tenant).await?;
    let counts = if page.member.role.allows(Role::Gestionnaire) {
        let today = day_of(&page.state, None);
        let found = counts::counts(&page.state, &page.tenant, today).await?;
        Some(counts_model(today, found))
    } else {
        None
    };
    let model = home_model(&page.member, summary, counts);
    Ok(page.frame.show(&HOME, &model, 200))
}
