//! Invitations to families (the guide: the portal's address is sent "par mail"): one
//! guardian, or every guardian who has never signed in, receives the first-connection link
//! (the parents' "Créer le mot de passe" page, valid 7 days). A guardian is invited at most
//! once a day, whoever asks.

use super::StaffError;
use super::audited;
use super::auth::StaffSigned;
use crate::auth::service::new_password_link;
use crate::i18n;
use crate::mail::{self, Mail};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::Duration;
use sea_orm::FromQueryResult;
use serde_json::json;
use uuid::Uuid;

/// How long the invitation's link works.
pub const LINK_DAYS: i64 = 7;
/// One invitation per guardian in this time.
const RESEND_SECONDS: u64 = 24 * 3600;

/// Who to invite.
pub enum Selection {
    Guardians(Vec<Uuid>),
    /// Every guardian with an e-mail who has never chosen a password.
    NeverSignedIn,
}

#[derive(Debug, Clone, Copy, serde::Serialize, poem_openapi::Object)]
#[oai(rename = "StaffInvitationOutcome")]
pub struct Outcome {
    /// Mails queued.
    pub sent: u32,
    /// Guardians left out: unknown, without e-mail, already signed up, or invited less than
    /// a day ago.
    pub skipped: u32,
}

#[derive(FromQueryResult)]
struct Target {
    id: Uuid,
    household_id: Uuid,
    email: String,
    first_name: String,
    locale: Option<String>,
    signed_up: bool,
}

const TARGET: &str = "SELECT g.id, g.household_id, g.email, g.first_name, g.locale,
        EXISTS (SELECT 1 FROM credentials c WHERE c.guardian_id = g.id) AS signed_up
     FROM guardians g WHERE g.email IS NOT NULL";

/// Whether `guardian` may be invited now (and marks it so for a day).
async fn first_today(state: &AppState, slug: &str, guardian: Uuid) -> Result<bool, StaffError> {
    let mut conn = state.redis.connection();
    let set: Option<String> = redis::cmd("SET")
        .arg(format!("t:{slug}:family-invitation:{guardian}"))
        .arg(1)
        .arg("NX")
        .arg("EX")
        .arg(RESEND_SECONDS)
        .query_async(&mut conn)
        .await
        .map_err(crate::sessions::SessionError::from)?;
    Ok(set.is_some())
}

pub async fn invite(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    selection: Selection,
    origin: &str,
) -> Result<Outcome, StaffError> {
    let tx = tenant.begin(state).await?;
    let (targets, asked): (Vec<Target>, usize) = match &selection {
        Selection::Guardians(ids) => (
            tx.all(
                &format!("{TARGET} AND g.id = ANY($1)"),
                [ids.clone().into()],
            )
            .await?,
            ids.len(),
        ),
        Selection::NeverSignedIn => {
            let found: Vec<Target> = tx
                .all(&format!("{TARGET} AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.guardian_id = g.id) ORDER BY g.id"), [])
                .await?;
            let n = found.len();
            (found, n)
        }
    };
    let texts = crate::portal::repository::portal_texts(&tx).await?;
    let now = state.clock.now();
    let mut sent = 0u32;
    for target in targets.iter().filter(|t| !t.signed_up) {
        if !first_today(state, tenant.slug(), target.id).await? {
            continue;
        }
        let lifetime = Duration::days(LINK_DAYS);
        let link = new_password_link(state, tenant, &tx, target.id, now, lifetime).await?;
        let mail = i18n::sync_scope(i18n::for_recipient(target.locale.as_deref()), || {
            Mail::render(
                "family_invitation",
                &target.email,
                &i18n::t_args(
                    "mail-family-invitation-subject",
                    &[("tenant", texts.name.clone().into())],
                ),
                &json!({
                    "first_name": target.first_name,
                    "tenant_name": texts.name,
                    "contact_email": texts.contact.email,
                    "link": link,
                    "email": target.email,
                }),
            )
        });
        mail::enqueue(&tx, &mail).await?;
        let invited = ("invite", "guardian");
        audited(
            &tx,
            by,
            invited,
            target.id,
            target.household_id,
            &[],
            origin,
        )
        .await?;
        sent += 1;
    }
    tx.commit().await?;
    state.outboxes.notify(tenant.schema());
    Ok(Outcome {
        sent,
        skipped: asked as u32 - sent,
    })
}
