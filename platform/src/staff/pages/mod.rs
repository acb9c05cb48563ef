//! The back-office pages under `/{slug}/gestion/`, one module a feature: sign-in and
//! activation (no session), then the home, the team (admin), the families, the children's
//! records, the invitations to families and the counts. Every page has a typed model.

pub mod activation;
pub mod audit;
pub mod children;
pub mod counts;
pub mod families;
pub mod home;
pub mod invitations;
pub mod library;
pub mod records;
pub mod sign_in;
pub mod team;
#[cfg(test)]
mod tests;
pub mod texts;

use crate::i18n::t;
use serde::Deserialize;

/// Messages a redirect may ask a page to show: a fixed list, never text from the URL.
fn info_message(key: &str) -> Option<String> {
    Some(t(match key {
        "deconnecte" => "staff-info-signed-out",
        "session-expiree" => "info-session-expired",
        "invite" => "staff-info-invited",
        "desactive" => "staff-info-disabled",
        "quotient" => "staff-info-quotient",
        "validee" => "staff-info-validated",
        "devalidee" => "staff-info-unvalidated",
        "critere" => "staff-info-criterion",
        "critere-retire" => "staff-info-criterion-removed",
        "assurance" => "staff-info-insurance",
        "assurance-retiree" => "staff-info-insurance-removed",
        _ => return None,
    }))
}

#[derive(Deserialize)]
pub struct InfoQuery {
    info: Option<String>,
    sent: Option<u32>,
    skipped: Option<u32>,
}

impl InfoQuery {
    /// The message a redirect asked for; invitations say how many were sent.
    fn message(&self) -> Option<String> {
        match (self.info.as_deref(), self.sent, self.skipped) {
            (Some("invitations"), Some(sent), Some(skipped)) => Some(crate::i18n::t_args(
                "staff-info-invitations",
                &[("sent", sent.into()), ("skipped", skipped.into())],
            )),
            (info, _, _) => info.and_then(info_message),
        }
    }
}
