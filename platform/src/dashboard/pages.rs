//! `/{slug}/` for a signed-in guardian: the welcome text, then the four tiles.

use super::service::{self, Dashboard};
use crate::http::errors::PageError;
use crate::http::page::UncountedFrame;
use crate::i18n::t;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::Response;
use portail_tenants::calendar::deadline_label_fr;
use serde::Serialize;

#[derive(Serialize)]
struct RecentDocument {
    name: String,
    date: String,
    new: bool,
    href: String,
}

#[derive(Serialize)]
struct Invoice {
    label: String,
    amount: String,
    due: String,
}

#[derive(Serialize)]
struct Booking {
    child: String,
    prestation: String,
}

#[derive(Serialize)]
struct Deadline {
    prestation: String,
    day: String,
    deadline: String,
}

/// The page's model.
#[derive(Serialize)]
pub struct DashboardPage {
    welcome_title: String,
    welcome_html: String,
    contact: crate::portal::pages::ContactCard,
    documents_new: i64,
    recent: Vec<RecentDocument>,
    invoices: Vec<Invoice>,
    unread: i64,
    today: Vec<Booking>,
    today_label: String,
    next_deadline: Option<Deadline>,
}

fn euros(cents: i64) -> String {
    format!("{},{:02} €", cents / 100, (cents % 100).abs())
}

fn model(
    slug: &str,
    d: Dashboard,
    today: chrono::NaiveDate,
    welcome_title: String,
    welcome_html: String,
    contact: crate::portal::pages::ContactCard,
) -> DashboardPage {
    DashboardPage {
        welcome_title,
        welcome_html,
        contact,
        documents_new: d.documents_new,
        recent: d
            .recent
            .into_iter()
            .map(|r| RecentDocument {
                date: crate::i18n::calendar::day_with_year(r.published_on),
                href: format!("/{slug}/documents/bibliotheque/{}", r.id),
                name: r.name,
                new: r.new,
            })
            .collect(),
        invoices: d
            .unpaid
            .into_iter()
            .map(|i| Invoice {
                label: i.label,
                amount: euros(i.amount_cents),
                due: crate::i18n::calendar::day_with_year(i.due_on),
            })
            .collect(),
        unread: d.unread,
        today: d
            .today
            .into_iter()
            .map(|b| Booking {
                child: b.child,
                prestation: b.prestation_name,
            })
            .collect(),
        today_label: crate::reservations::pages::day_long(today),
        next_deadline: d.next_deadline.map(|n| Deadline {
            prestation: n.prestation_name,
            day: crate::reservations::pages::day_long(n.day),
            deadline: deadline_label_fr(n.deadline.with_timezone(&chrono_tz::Europe::Paris)),
        }),
    }
}

/// Renders the dashboard around the portal's welcome texts.
pub async fn render(
    state: &AppState,
    tenant: &CurrentTenant,
    frame: UncountedFrame,
    welcome_title: String,
    welcome_html: String,
    contact: crate::portal::pages::ContactCard,
) -> Result<Response, PageError> {
    let signed = frame
        .account()
        .expect("the dashboard is for a signed-in guardian");
    let d = service::load(state, tenant, signed).await?;
    // The tile's count is the banner's: read once, in the dashboard's transaction.
    let frame = frame.counted(d.unread);
    let today = crate::library::service::today(state);
    let page = model(&frame.slug, d, today, welcome_title, welcome_html, contact);
    let title = t("dashboard-title");
    Ok(frame.render("accueil_famille", &title, "accueil", page))
}

#[cfg(test)]
mod tests {
    use super::euros;

    #[test]
    fn amounts_read_in_euros() {
        assert_eq!(euros(350), "3,50 €");
        assert_eq!(euros(12005), "120,05 €");
        assert_eq!(euros(0), "0,00 €");
    }
}
