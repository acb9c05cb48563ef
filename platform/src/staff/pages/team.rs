//! The team (admin): the members, the invitation of a member, disabling one.

use super::{InfoQuery, info_message};
use crate::http::errors::{PageError, Problem};
use crate::i18n::t;
use crate::staff::accounts::Member;
use crate::staff::auth::{self, StaffSigned};
use crate::staff::guard::{StaffForm, StaffPage, StaffView};
use crate::staff::{Admin, Role, StaffError};
use poem::web::Query;
use poem::{Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct RoleOption {
    pub code: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Serialize, Default)]
pub struct TeamPage {
    pub members: Vec<MemberLine>,
    pub roles: Vec<RoleOption>,
    pub info: Option<String>,
    pub error: Option<String>,
    pub errors: BTreeMap<String, String>,
    pub email: String,
    pub name: String,
}

const TEAM: StaffView = StaffView {
    template: "staff_equipe",
    title: "title-staff-team",
    nav: "equipe",
};

#[derive(Serialize)]
pub struct MemberLine {
    pub email: String,
    pub name: String,
    pub role: String,
    pub status: String,
    pub can_disable: bool,
}

pub(super) fn team_model(members: Vec<Member>, me: &StaffSigned, selected: &str) -> TeamPage {
    TeamPage {
        members: members
            .into_iter()
            .map(|m| MemberLine {
                can_disable: m.status != "disabled" && m.id != me.id,
                role: Role::parse(&m.role).map(Role::label).unwrap_or_default(),
                status: t(&format!("staff-status-{}", m.status)),
                email: m.email,
                name: m.name,
            })
            .collect(),
        roles: Role::ALL
            .into_iter()
            .map(|r| RoleOption {
                code: r.code(),
                label: r.label(),
                selected: r.code() == selected,
            })
            .collect(),
        ..Default::default()
    }
}

#[handler]
pub async fn team(
    Query(query): Query<InfoQuery>,
    page: StaffPage<Admin>,
) -> Result<Response, PageError> {
    let members = auth::members(&page.state, &page.tenant).await?;
    let mut model = team_model(members, &page.member, "accueil");
    model.info = query.info.as_deref().and_then(info_message);
    Ok(page.frame.show(&TEAM, &model, 200))
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: Option<String>,
    name: Option<String>,
    role: Option<String>,
}

#[handler]
pub async fn invite(page: StaffForm<Admin, InviteForm>) -> Result<Response, PageError> {
    let (email, name, role) = (
        page.form.email.clone().unwrap_or_default(),
        page.form.name.clone().unwrap_or_default(),
        page.form.role.clone().unwrap_or_default(),
    );
    match auth::invite(
        &page.state,
        &page.tenant,
        &page.member,
        &email,
        &name,
        &role,
    )
    .await
    {
        Ok(_) => Ok(page.frame.redirect("equipe?info=invite")),
        Err(e @ (StaffError::Invalid(_) | StaffError::AlreadyExists)) => {
            let members = auth::members(&page.state, &page.tenant).await?;
            let mut model = team_model(members, &page.member, &role);
            model.error = Some(e.message());
            if let StaffError::Invalid(errors) = &e {
                model.errors = errors.0.clone();
            }
            model.email = email;
            model.name = name;
            Ok(page.frame.show(&TEAM, &model, e.status().as_u16()))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct DisableForm {
    email: Option<String>,
}

#[handler]
pub async fn disable(page: StaffForm<Admin, DisableForm>) -> Result<Response, PageError> {
    let email = page.form.email.clone().unwrap_or_default();
    auth::disable(&page.state, &page.tenant, &page.member, &email).await?;
    Ok(page.frame.redirect("equipe?info=desactive"))
}
