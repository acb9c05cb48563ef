//! The tiles' shapes of data that belongs to another feature (read by the dashboard's batch,
//! in its one transaction).

use chrono::NaiveDate;
use portail_tenants::batch::Query;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An unpaid invoice as the "Mes factures" tile shows it.
#[derive(Debug, Clone, Serialize)]
pub struct UnpaidInvoice {
    pub id: Uuid,
    /// "Facture FAC-2027-000042".
    pub label: String,
    pub amount_cents: i64,
    pub due_on: NaiveDate,
}

/// The household's invoices not paid in full (`unpaid`, the oldest due first), with what is
/// left to pay, as the tile shows them.
pub fn unpaid_invoices(unpaid: Vec<crate::billing::UnpaidInvoice>) -> Vec<UnpaidInvoice> {
    let tile = |i: crate::billing::UnpaidInvoice| UnpaidInvoice {
        id: i.id,
        label: crate::i18n::t_args("dashboard-invoice-label", &[("number", i.number.into())]),
        amount_cents: i.amount_cents,
        due_on: i.due_on,
    };
    unpaid.into_iter().map(tile).collect()
}

/// Today's bookings of the household's children and the prestations they are enrolled in: what
/// the "Aujourd'hui" and "Prochaine échéance" tiles need, and no more (the booking grid's
/// week facts also build every child's record and the places left, which the tiles never show).
pub fn today_query(household_id: Uuid, today: NaiveDate) -> Query<TodayRow> {
    Query::new(
        "WITH kids AS (SELECT id, first_name, birth_date FROM children WHERE household_id = $1)
         SELECT
           (SELECT coalesce(json_agg(json_build_array(k.id, k.first_name, r.prestation_code)
                    ORDER BY k.birth_date, k.first_name, k.id), '[]')
              FROM reservations r JOIN kids k ON k.id = r.child_id WHERE r.day = $2) AS booked,
           (SELECT coalesce(json_agg(DISTINCT e.prestation_code), '[]')
              FROM enrolments e JOIN kids k ON k.id = e.child_id) AS enrolled",
        [household_id.into(), today.into()],
    )
}

/// The one row of [`today_query`] (always there: it is made of aggregates).
#[derive(Deserialize)]
pub struct TodayRow {
    /// Child, first name, prestation code: the children in the grid's order.
    pub booked: Vec<(Uuid, String, String)>,
    /// The prestation codes any child is enrolled in.
    pub enrolled: Vec<String>,
}
