//! The invitations sent to families from their pages.

use crate::http::errors::PageError;
use crate::http::page::parse_id;
use crate::staff::guard::StaffForm;
use crate::staff::{Gestionnaire, invitations};
use poem::{Response, handler};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct InvitationForm {
    guardian_id: Option<String>,
    /// Any value: every guardian who never signed in.
    all: Option<String>,
    /// The household page to go back to.
    household_id: Option<String>,
}

#[handler]
pub async fn invite_families(
    page: StaffForm<Gestionnaire, InvitationForm>,
) -> Result<Response, PageError> {
    let selection = match (&page.form.all, &page.form.guardian_id) {
        (Some(_), _) => invitations::Selection::NeverSignedIn,
        (None, Some(id)) => invitations::Selection::Guardians(vec![parse_id(id)?]),
        (None, None) => invitations::Selection::Guardians(vec![]),
    };
    let outcome =
        invitations::invite(&page.state, &page.tenant, &page.member, selection, "page").await?;
    let back = match page.form.household_id.as_deref().map(parse_id) {
        Some(id) => format!("familles/{}", id?),
        None => "familles".to_string(),
    };
    Ok(page.frame.redirect(&format!(
        "{back}?info=invitations&sent={}&skipped={}",
        outcome.sent, outcome.skipped
    )))
}
