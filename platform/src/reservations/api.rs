//! `/{slug}/api/v1/reservations`: the weekly grid, one cell booked or cancelled, a period
//! booked at once.

use super::rules::{Cell, State, explain};
use super::service::{
    self, BookError, Bulk, BulkError, BulkResult, CancelDecision, CancelResult, Grid, PeriodCancel,
};
use crate::auth::api::SignedInApi;
use crate::auth::session::SignedIn;
use crate::http::errors::ApiError;
use crate::http::serde_json_body::SerdeJson;
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::NaiveDate;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};
use portail_tenants::calendar::{WeekId, deadline_label_fr};
use portail_tenants::config::Weekday;
use serde::Serialize;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Booking: the weekly grid, a day, a period.
    Reservations,
}

#[derive(Object, Serialize)]
#[oai(rename = "ReservationCell")]
pub struct CellDto {
    date: NaiveDate,
    /// `reserved`, `available`, `unavailable`, `locked`, or `in_cart` (a prepaid day in the
    /// household's cart, held until paid: see `/cart`).
    state: String,
    /// Why it is unavailable, locked, or reserved but no longer cancellable: `deadline`,
    /// `full`, `closed`, `holiday`, `public_holiday`, `school_period`, `not_running`,
    /// `not_enrolled`, `record_not_validated`, `no_calendar`.
    reason: Option<String>,
    /// Until when it can change, RFC 3339 with the Paris offset.
    deadline: Option<String>,
    changeable: bool,
    /// The same in French, for people.
    label: String,
    /// The deadline in words, e.g. `lundi 18 janvier à 8h30` (the grid's confirmations).
    until: Option<String>,
}

pub fn cell_dto(c: &Cell) -> CellDto {
    CellDto {
        date: c.date,
        state: match c.state {
            State::Reserved => "reserved",
            State::Available => "available",
            State::Unavailable => "unavailable",
            State::Locked => "locked",
            State::Cart => "in_cart",
        }
        .into(),
        reason: c.reason.map(str::to_string),
        deadline: c.deadline.map(|d| d.to_rfc3339()),
        changeable: c.changeable,
        label: explain(c),
        until: c.deadline.map(deadline_label_fr),
    }
}

#[derive(Object, Serialize)]
struct RowDto {
    prestation: String,
    name: String,
    cells: Vec<CellDto>,
}

#[derive(Object, Serialize)]
#[oai(rename = "ReservationChild")]
struct ChildRowsDto {
    id: Uuid,
    first_name: String,
    rows: Vec<RowDto>,
}

#[derive(Object, Serialize)]
struct WeekDto {
    /// ISO week, e.g. `2026-W04`.
    week: String,
    days: Vec<NaiveDate>,
    children: Vec<ChildRowsDto>,
}

fn week_dto(g: Grid) -> WeekDto {
    WeekDto {
        week: g.week.to_string(),
        days: g.days,
        children: g
            .children
            .into_iter()
            .map(|c| ChildRowsDto {
                id: c.id,
                first_name: c.first_name,
                rows: c
                    .rows
                    .into_iter()
                    .map(|r| RowDto {
                        prestation: r.prestation,
                        name: r.name,
                        cells: r.cells.iter().map(cell_dto).collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[derive(Object)]
struct BulkRequest {
    prestation: String,
    children: Vec<Uuid>,
    /// `monday` … `sunday`.
    weekdays: Vec<String>,
    from: String,
    to: String,
    /// `add` or `replace`.
    mode: String,
}

#[derive(Object)]
#[oai(rename = "ReservationDecision")]
struct DecisionDto {
    child: Uuid,
    date: NaiveDate,
    reason: Option<String>,
}

#[derive(Object)]
struct BulkDto {
    booked: Vec<DecisionDto>,
    cancelled: Vec<DecisionDto>,
    skipped: Vec<DecisionDto>,
}

fn bulk_dto(r: BulkResult) -> BulkDto {
    let map = |ds: Vec<service::Decision>| {
        ds.into_iter()
            .map(|d| DecisionDto {
                child: d.child,
                date: d.date,
                reason: d.reason.map(str::to_string),
            })
            .collect()
    };
    BulkDto {
        booked: map(r.booked),
        cancelled: map(r.cancelled),
        skipped: map(r.skipped),
    }
}

#[derive(Object)]
struct CancelPeriodRequest {
    /// The prestations' codes, e.g. `["repas", "peri-soir"]`.
    prestations: Vec<String>,
    children: Vec<Uuid>,
    /// First and last day, `AAAA-MM-JJ`, both included (400 days at most).
    from: String,
    to: String,
}

#[derive(Object)]
#[oai(rename = "CancelledDay")]
struct CancelDecisionDto {
    child: Uuid,
    prestation: String,
    date: NaiveDate,
    /// Why a booked day was kept: `deadline` (its cancellation deadline has passed).
    reason: Option<String>,
}

#[derive(Object)]
struct CancelPeriodDto {
    /// The booked days cancelled.
    cancelled: Vec<CancelDecisionDto>,
    /// The booked days that could not be cancelled, with the reason.
    kept: Vec<CancelDecisionDto>,
}

fn cancel_dto(r: CancelResult) -> CancelPeriodDto {
    let map = |ds: Vec<CancelDecision>| {
        ds.into_iter()
            .map(|d| CancelDecisionDto {
                child: d.child,
                prestation: d.prestation,
                date: d.date,
                reason: d.reason.map(str::to_string),
            })
            .collect()
    };
    CancelPeriodDto {
        cancelled: map(r.cancelled),
        kept: map(r.kept),
    }
}

/// Parses `AAAA-MM-JJ` strictly: `2026-02-30` is refused.
pub fn parse_day(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()
}

pub fn parse_weekday(value: &str) -> Option<Weekday> {
    Weekday::ALL
        .iter()
        .copied()
        .find(|w| w.as_str() == value.trim().to_lowercase())
}

pub struct ReservationsApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Reservations")]
    impl ReservationsApi {
        /// The week's grid: one row per enrolled prestation of each child, one cell per day.
        #[op("get", "/:slug/api/v1/reservations", "reservationWeek")]
        async fn week(
            &self,
            tenant,
            week: Query<Option<String>>,
            SignedInApi(signed): SignedInApi,
        ) -> Result<SerdeJson<WeekDto>, ApiError<BookError>> {
            let week = match week.0 {
                None => WeekId::containing(portail_tenants::calendar::paris_date(
                    self.state.clock.now(),
                )),
                Some(w) => w.parse::<WeekId>().map_err(|_| BookError::InvalidWeek)?,
            };
            let grid = service::grid(&self.state, &tenant, &signed, week).await?;
            Ok(SerdeJson(week_dto(grid)))
        }

        /// Book one day (idempotent).
        #[op("put", "/:slug/api/v1/children/:id/reservations/:prestation/:date", "book")]
        async fn book(
            &self,
            tenant,
            id: Path<Uuid>,
            prestation: Path<String>,
            /// The day, `YYYY-MM-DD`.
            #[oai(validator(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
            date: Path<String>,
            SignedInApi(signed): SignedInApi,
        ) -> Result<Json<CellDto>, ApiError<BookError>> {
            self.set(&tenant, &signed, id.0, &prestation.0, &date.0, true)
                .await
        }

        /// Cancel one day (idempotent).
        #[op("delete", "/:slug/api/v1/children/:id/reservations/:prestation/:date", "cancel")]
        async fn cancel(
            &self,
            tenant,
            id: Path<Uuid>,
            prestation: Path<String>,
            /// The day, `YYYY-MM-DD`.
            #[oai(validator(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
            date: Path<String>,
            SignedInApi(signed): SignedInApi,
        ) -> Result<Json<CellDto>, ApiError<BookError>> {
            self.set(&tenant, &signed, id.0, &prestation.0, &date.0, false)
                .await
        }

        /// Book a period for several children at once ("Réserver en masse").
        #[op("post", "/:slug/api/v1/reservations/bulk", "bookPeriod")]
        async fn bulk(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
            body: Json<BulkRequest>,
        ) -> Result<Json<BulkDto>, ApiError<BulkError>> {
            let request = bulk_request(body.0)?;
            let result = service::bulk(&self.state, &tenant, &signed, request, "api").await?;
            Ok(Json(bulk_dto(result)))
        }

        /// Cancel every booked day of a period for several prestations and children at once (a
        /// sick child). Each day follows its own cancellation deadline: the days past it are
        /// kept and listed in `kept`; days that were not booked are not mentioned.
        #[op("post", "/:slug/api/v1/reservations/cancel-period", "cancelPeriod")]
        async fn cancel_period(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
            body: Json<CancelPeriodRequest>,
        ) -> Result<Json<CancelPeriodDto>, ApiError<BulkError>> {
            let b = body.0;
            let (Some(from), Some(to)) = (parse_day(&b.from), parse_day(&b.to)) else {
                return Err(BulkError::Invalid(crate::i18n::t("bulk-api-dates")).into());
            };
            let request = PeriodCancel {
                prestations: b.prestations,
                children: b.children,
                from,
                to,
            };
            let result = service::cancel_period(&self.state, &tenant, &signed, request, "api").await?;
            Ok(Json(cancel_dto(result)))
        }
    }
}

/// The period to book, from the request's words.
fn bulk_request(b: BulkRequest) -> Result<Bulk, BulkError> {
    let invalid = |m: &str| BulkError::Invalid(m.into());
    let (Some(from), Some(to)) = (parse_day(&b.from), parse_day(&b.to)) else {
        return Err(invalid(&crate::i18n::t("bulk-api-dates")));
    };
    let weekdays = b
        .weekdays
        .iter()
        .map(|w| {
            parse_weekday(w).ok_or_else(|| {
                invalid(&crate::i18n::t_args(
                    "bulk-api-weekday",
                    &[("day", w.as_str().into())],
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let replace = match b.mode.as_str() {
        "add" => false,
        "replace" => true,
        _ => {
            return Err(invalid(&crate::i18n::t("bulk-api-mode")));
        }
    };
    Ok(Bulk {
        prestation: b.prestation,
        children: b.children,
        weekdays,
        from,
        to,
        replace,
    })
}

impl ReservationsApi {
    async fn set(
        &self,
        tenant: &CurrentTenant,
        signed: &SignedIn,
        child: Uuid,
        prestation: &str,
        date: &str,
        want: bool,
    ) -> Result<Json<CellDto>, ApiError<BookError>> {
        let day = parse_day(date).ok_or(BookError::InvalidDate)?;
        let cell = service::set(
            &self.state,
            tenant,
            signed,
            child,
            prestation,
            day,
            want,
            "api",
        )
        .await?;
        Ok(Json(cell_dto(&cell)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grid is written with serde: byte for byte what its OpenAPI description promises.
    #[test]
    fn the_grid_serializes_as_poem_openapi_writes_it() {
        let cell = |state: &str, reason: Option<&str>, deadline: Option<&str>| CellDto {
            date: NaiveDate::from_ymd_opt(2027, 1, 18).unwrap(),
            state: state.into(),
            reason: reason.map(str::to_string),
            deadline: deadline.map(str::to_string),
            changeable: deadline.is_some(),
            label: "Réservé".into(),
            until: deadline.map(|_| "lundi 18 janvier à 8h30".into()),
        };
        let week = WeekDto {
            week: "2027-W03".into(),
            days: vec![NaiveDate::from_ymd_opt(2027, 1, 18).unwrap()],
            children: vec![ChildRowsDto {
                id: Uuid::from_u128(7),
                first_name: "Théo".into(),
                rows: vec![RowDto {
                    prestation: "repas".into(),
                    name: "Restauration \"scolaire\"".into(),
                    cells: vec![
                        cell("reserved", None, Some("2027-01-18T08:30:00+01:00")),
                        cell("locked", Some("deadline"), None),
                    ],
                }],
            }],
        };
        crate::http::serde_json_body::same_as_openapi(&week).unwrap();
    }
}
