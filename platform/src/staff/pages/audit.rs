//! A household's audit (admin): who changed or read what, when, from where.

use crate::http::errors::PageError;
use crate::http::page::PathId;
use crate::i18n::t;
use crate::staff::guard::StaffPage;
use crate::staff::records::{self, AuditEntry};
use crate::staff::{Admin, families};
use poem::{Response, handler};
use serde::Serialize;
use uuid::Uuid;

/// One line of the audit, in words.
#[derive(Serialize)]
pub struct AuditLine {
    pub when: String,
    pub who: String,
    pub action: String,
    pub what: String,
    pub fields: String,
    pub origin: String,
}

#[derive(Serialize)]
pub struct AuditPage {
    pub household_id: Uuid,
    pub name: String,
    pub entries: Vec<AuditLine>,
}

/// A code of the audit in words; an unknown code is shown as it is.
fn word(prefix: &str, code: &str) -> String {
    let key = format!("{prefix}-{code}");
    if crate::i18n::has_key(crate::i18n::current(), &key) {
        t(&key)
    } else {
        code.to_string()
    }
}

pub(super) fn audit_model(household_id: Uuid, name: String, entries: Vec<AuditEntry>) -> AuditPage {
    AuditPage {
        household_id,
        name,
        entries: entries
            .into_iter()
            .map(|e| AuditLine {
                when: e
                    .at
                    .with_timezone(&chrono_tz::Europe::Paris)
                    .format("%d/%m/%Y %H:%M:%S")
                    .to_string(),
                who: match e.actor_name {
                    Some(name) => name,
                    None if e.actor.starts_with("ops:") => t("staff-audit-ops"),
                    None => e.actor,
                },
                action: word("staff-audit-action", &e.action),
                what: word("staff-audit-entity", &e.entity),
                fields: e.fields.join(", "),
                origin: word("staff-audit-origin", &e.origin),
            })
            .collect(),
    }
}

#[handler]
pub async fn audit_page(PathId(id): PathId, page: StaffPage<Admin>) -> Result<Response, PageError> {
    let household = families::detail(&page.state, &page.tenant, id).await?;
    let entries = records::household_audit(&page.state, &page.tenant, id).await?;
    let model = audit_model(id, household.name, entries);
    let title = t("title-staff-audit");
    Ok(page
        .frame
        .render("staff_journal", &title, "familles", &model, 200))
}
