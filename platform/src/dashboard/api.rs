//! `GET /{slug}/api/v1/dashboard`: the four tiles of the home page.

use super::service;
use crate::auth::api::SignedInApi;
use crate::http::errors::{ApiError, Failure};
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// The home page's tiles.
    Dashboard,
}

#[derive(Object)]
struct RecentDocumentDto {
    id: Uuid,
    name: String,
    published_on: NaiveDate,
    /// Not opened yet by the signed-in guardian.
    new: bool,
    /// `GET` it to open the file (see `openLibraryDocument`).
    file: String,
}

#[derive(Object)]
struct DocumentsTileDto {
    /// Documents published for the household that this guardian has not opened yet.
    new: i64,
    /// The most recent ones, newest first.
    recent: Vec<RecentDocumentDto>,
}

#[derive(Object)]
struct UnpaidInvoiceDto {
    id: Uuid,
    label: String,
    amount_cents: i64,
    due_on: NaiveDate,
}

#[derive(Object)]
struct InvoicesTileDto {
    /// The soonest due first; empty when every invoice is paid.
    unpaid: Vec<UnpaidInvoiceDto>,
}

#[derive(Object)]
struct MessagesTileDto {
    unread: i64,
}

#[derive(Object)]
struct TodayBookingDto {
    child_id: Uuid,
    /// The child's first name.
    child: String,
    /// The prestation's code and name.
    prestation: String,
    prestation_name: String,
}

#[derive(Object)]
struct NextDeadlineDto {
    prestation: String,
    prestation_name: String,
    /// The day it books.
    day: NaiveDate,
    deadline: DateTime<Utc>,
}

#[derive(Object)]
struct DashboardDto {
    documents: DocumentsTileDto,
    invoices: InvoicesTileDto,
    messages: MessagesTileDto,
    /// The children's bookings of today.
    today: Vec<TodayBookingDto>,
    /// The next booking deadline of a prestation a child is enrolled in; `null` if none in
    /// the next two weeks.
    next_deadline: Option<NextDeadlineDto>,
}

pub struct DashboardApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Dashboard")]
    impl DashboardApi {
        /// The home page's tiles for the signed-in guardian.
        #[op("get", "/:slug/api/v1/dashboard", "getDashboard")]
        async fn dashboard(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
        ) -> Result<Json<DashboardDto>, ApiError<Failure>> {
            let d = service::load(&self.state, &tenant, &signed)
                .await
                .map_err(|e| Failure::of(&e))?;
            Ok(Json(DashboardDto {
                documents: DocumentsTileDto {
                    new: d.documents_new,
                    recent: d
                        .recent
                        .into_iter()
                        .map(|r| RecentDocumentDto {
                            file: format!("/{}/api/v1/library/{}/file", tenant.slug(), r.id),
                            id: r.id,
                            name: r.name,
                            published_on: r.published_on,
                            new: r.new,
                        })
                        .collect(),
                },
                invoices: InvoicesTileDto {
                    unpaid: d
                        .unpaid
                        .into_iter()
                        .map(|i| UnpaidInvoiceDto {
                            id: i.id,
                            label: i.label,
                            amount_cents: i.amount_cents,
                            due_on: i.due_on,
                        })
                        .collect(),
                },
                messages: MessagesTileDto { unread: d.unread },
                today: d
                    .today
                    .into_iter()
                    .map(|t| TodayBookingDto {
                        child_id: t.child_id,
                        child: t.child,
                        prestation: t.prestation,
                        prestation_name: t.prestation_name,
                    })
                    .collect(),
                next_deadline: d.next_deadline.map(|n| NextDeadlineDto {
                    prestation: n.prestation,
                    prestation_name: n.prestation_name,
                    day: n.day,
                    deadline: n.deadline,
                }),
            }))
        }
    }
}
