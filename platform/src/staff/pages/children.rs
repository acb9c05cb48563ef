//! A child's record and its validation.

use super::{InfoQuery, info_message};
use crate::http::errors::PageError;
use crate::http::page::PathId;
use crate::staff::auth::StaffSigned;
use crate::staff::guard::{StaffForm, StaffPage};
use crate::staff::records::{self, ChildRecord};
use crate::staff::{Accueil, Gestionnaire, Role};
use poem::web::Query;
use poem::{Response, handler};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct ChildPage {
    pub child: ChildRecord,
    pub name: String,
    pub validated: bool,
    pub validated_on: String,
    pub can_validate: bool,
    pub info: Option<String>,
}

pub(super) fn child_model(child: ChildRecord, member: &StaffSigned) -> ChildPage {
    ChildPage {
        name: format!("{} {}", child.first_name, child.last_name),
        validated: child.validated_at.is_some(),
        validated_on: child
            .validated_at
            .map(|d| {
                d.with_timezone(&chrono_tz::Europe::Paris)
                    .format("%d/%m/%Y")
                    .to_string()
            })
            .unwrap_or_default(),
        can_validate: member.role.allows(Role::Gestionnaire),
        child,
        info: None,
    }
}

/// The whole record of a child: an audited read.
#[handler]
pub async fn child_page(
    PathId(id): PathId,
    Query(query): Query<InfoQuery>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let child = records::read(&page.state, &page.tenant, &page.member, id, "page").await?;
    let mut model = child_model(child, &page.member);
    model.info = query.info.as_deref().and_then(info_message);
    let title = model.name.clone();
    Ok(page
        .frame
        .render("staff_enfant", &title, "familles", &model, 200))
}

#[derive(Deserialize)]
pub struct ValidationForm {
    validated: Option<String>,
}

#[handler]
pub async fn validate_child(
    PathId(id): PathId,
    page: StaffForm<Gestionnaire, ValidationForm>,
) -> Result<Response, PageError> {
    let validated = page.form.validated.as_deref() == Some("oui");
    records::set_validated(
        &page.state,
        &page.tenant,
        &page.member,
        id,
        validated,
        "page",
    )
    .await?;
    let info = if validated { "validee" } else { "devalidee" };
    Ok(page.frame.redirect(&format!("enfants/{id}?info={info}")))
}
