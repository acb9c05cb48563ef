//! `/{slug}/reservations/historique`: "Historique des réservations", every booking and
//! cancellation of the household's children, newest first: when (Paris time), who, which
//! child, prestation and day, and from where (the grid, the mass booking, the API). The
//! parents' proof of what was asked; the 500 most recent changes are shown.

use super::service;
use super::wizard::day_fr;
use crate::http::errors::PageError;
use crate::http::page::SignedInPage;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use poem::{Response, handler};
use serde::Serialize;

/// The most changes one page shows.
pub const LIMIT: usize = 500;

pub fn action_label(action: &str) -> String {
    crate::i18n::t(match action {
        "book" => "history-action-book",
        "cancel" => "history-action-cancel",
        _ => "history-action-other",
    })
}

pub fn source_label(source: &str) -> String {
    crate::i18n::t(match source {
        "page" => "history-source-page",
        "masse" => "history-source-bulk",
        "api" => "history-source-api",
        "staff" => "history-source-staff",
        _ => "history-source-other",
    })
}

/// "26/11/2026 à 10:15", Paris time.
pub fn when_fr(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&Paris);
    crate::i18n::t_args(
        "date-time",
        &[
            ("date", local.format("%d/%m/%Y").to_string().into()),
            ("time", local.format("%H:%M").to_string().into()),
        ],
    )
}

/// The history page: the changes, newest first.
#[derive(Serialize)]
pub struct HistoryPage {
    pub events: Vec<HistoryLine>,
    /// More than [`LIMIT`] changes: only the most recent are shown.
    pub truncated: bool,
    pub limit: usize,
    /// The grid, to go back to.
    pub grid: String,
}

/// One booking or cancellation.
#[derive(Serialize)]
pub struct HistoryLine {
    /// When, as a machine-readable date (`<time datetime>`).
    pub at: String,
    pub when: String,
    pub who: String,
    pub child: String,
    pub prestation: String,
    pub day_iso: String,
    pub day: String,
    pub action: String,
    pub cancel: bool,
    pub source: String,
}

impl From<&super::repository::Event> for HistoryLine {
    fn from(e: &super::repository::Event) -> Self {
        HistoryLine {
            at: e.at.with_timezone(&Paris).to_rfc3339(),
            when: when_fr(e.at),
            who: (e.guardian.clone()).unwrap_or_else(|| crate::i18n::t("history-deleted-account")),
            child: e.child.clone(),
            prestation: e.prestation.clone(),
            day_iso: e.day.to_string(),
            day: day_fr(e.day, true),
            action: action_label(&e.action),
            cancel: e.action == "cancel",
            source: source_label(&e.source),
        }
    }
}

#[handler]
pub async fn page(ctx: SignedInPage<'_>) -> Result<Response, PageError> {
    let (state, tenant, frame, signed) = ctx.parts();
    let mut events = service::history(state, tenant, signed.household_id, LIMIT as i64 + 1).await?;
    let truncated = events.len() > LIMIT;
    events.truncate(LIMIT);
    let model = HistoryPage {
        events: events.iter().map(HistoryLine::from).collect(),
        truncated,
        limit: LIMIT,
        grid: format!("/{}/reservations", tenant.slug()),
    };
    Ok(frame.render(
        "reservations_historique",
        "Historique des réservations",
        "reservations",
        model,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn labels_and_paris_time() {
        assert_eq!(action_label("book"), "Réservation");
        assert_eq!(action_label("cancel"), "Annulation");
        assert_eq!(source_label("page"), "Grille");
        assert_eq!(source_label("masse"), "Réservation en masse");
        assert_eq!(source_label("api"), "Application");
        // Winter: UTC+1; summer: UTC+2.
        let winter = Utc.with_ymd_and_hms(2026, 11, 26, 9, 15, 0).unwrap();
        assert_eq!(when_fr(winter), "26/11/2026 à 10:15");
        let summer = Utc.with_ymd_and_hms(2027, 6, 30, 22, 30, 0).unwrap();
        assert_eq!(when_fr(summer), "01/07/2027 à 00:30");
    }

    #[tokio::test]
    async fn the_page_model_renders_its_lines_escaped() {
        let line = HistoryLine {
            at: "2026-11-26T10:15:00+01:00".into(),
            when: when_fr(Utc.with_ymd_and_hms(2026, 11, 26, 9, 15, 0).unwrap()),
            who: "Paul <ALAIN>".into(),
            child: "Théo ALAIN".into(),
            prestation: "Repas".into(),
            day_iso: "2026-11-30".into(),
            day: "lundi 30/11/2026".into(),
            action: action_label("cancel"),
            cancel: true,
            source: source_label("masse"),
        };
        let model = HistoryPage {
            events: vec![line],
            truncated: true,
            limit: LIMIT,
            grid: "/demo/reservations".into(),
        };
        let html = crate::http::page::render_sample("reservations_historique", &model).await;
        assert!(html.contains("Paul &lt;ALAIN&gt;"));
        assert!(html.contains("26/11/2026 à 10:15"));
        assert!(html.contains("Annulation") && html.contains("Réservation en masse"));
        assert!(html.contains("href=\"/demo/reservations\""));
    }
}
