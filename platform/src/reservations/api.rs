//! `/{slug}/api/v1/reservations`: the weekly grid, one cell booked or cancelled, a period
//! booked at once.

use super::rules::{Cell, State, explain};
use super::service::{self, BookError, Bulk, BulkError, BulkResult, Grid};
use crate::auth::api::SessionCookie;
use crate::auth::csrf::origin_allowed;
use crate::http::api_errors::{ErrorBody, api_failure, not_found_body};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::NaiveDate;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use portail_tenants::calendar::WeekId;
use portail_tenants::config::Weekday;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Booking: the weekly grid, a day, a period.
    Reservations,
}

#[derive(Object)]
#[oai(rename = "ReservationCell")]
pub struct CellDto {
    date: NaiveDate,
    /// `reserved`, `available`, `unavailable` or `locked`.
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
}

pub fn cell_dto(c: &Cell) -> CellDto {
    CellDto {
        date: c.date,
        state: match c.state {
            State::Reserved => "reserved",
            State::Available => "available",
            State::Unavailable => "unavailable",
            State::Locked => "locked",
        }
        .into(),
        reason: c.reason.map(str::to_string),
        deadline: c.deadline.map(|d| d.to_rfc3339()),
        changeable: c.changeable,
        label: explain(c),
    }
}

#[derive(Object)]
struct RowDto {
    prestation: String,
    name: String,
    cells: Vec<CellDto>,
}

#[derive(Object)]
#[oai(rename = "ReservationChild")]
struct ChildRowsDto {
    id: Uuid,
    first_name: String,
    rows: Vec<RowDto>,
}

#[derive(Object)]
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

#[derive(ApiResponse)]
enum WeekResponse {
    #[oai(status = 200)]
    Ok(Json<WeekDto>),
    /// The week is not an ISO week such as `2026-W04` (`invalid_week`).
    #[oai(status = 422)]
    Invalid(Json<ErrorBody>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

#[derive(ApiResponse)]
enum CellResponse {
    /// The cell as it now is.
    #[oai(status = 200)]
    Ok(Json<CellDto>),
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// Not a child of the household, or no such prestation.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// Refused by the rules; `code` says why (`deadline`, `full`, `closed`, `holiday`…).
    #[oai(status = 409)]
    Refused(Json<ErrorBody>),
    /// A date that does not exist (`invalid_date`).
    #[oai(status = 422)]
    Invalid(Json<ErrorBody>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

pub fn refusal_message(reason: &str) -> &'static str {
    match reason {
        "deadline" => "La date limite pour ce jour est passée.",
        "full" => "Il n'y a plus de place ce jour-là.",
        "closed" => "Le service est fermé ce jour-là.",
        "holiday" | "public_holiday" => {
            "Pas de service ce jour-là (jour férié ou vacances scolaires)."
        }
        "school_period" => "Cette prestation n'a lieu que pendant les vacances scolaires.",
        "not_running" => "Cette prestation n'a pas lieu ce jour de la semaine.",
        "not_enrolled" => "L'enfant n'est pas inscrit à cette prestation.",
        "record_not_validated" => "Validez d'abord la fiche de l'enfant pour l'année scolaire.",
        "no_calendar" => "Le calendrier scolaire de cette date n'est pas encore publié.",
        _ => "Cette réservation n'est pas possible.",
    }
}

fn error(code: &str, message: &str) -> Json<ErrorBody> {
    Json(ErrorBody {
        code: code.into(),
        message: message.into(),
    })
}

impl From<BookError> for CellResponse {
    fn from(e: BookError) -> Self {
        match e {
            BookError::NotFound => CellResponse::NotFound(Json(not_found_body())),
            BookError::Refused(reason) => {
                CellResponse::Refused(error(reason, refusal_message(reason)))
            }
            BookError::Database(e) => match api_failure(&e) {
                (503, b) => CellResponse::Unavailable(Json(b)),
                (_, b) => CellResponse::Internal(Json(b)),
            },
        }
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

#[derive(ApiResponse)]
enum BulkResponse {
    #[oai(status = 200)]
    Ok(Json<BulkDto>),
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// Bad dates, period, weekdays or mode, with a French message (`invalid_request`).
    #[oai(status = 422)]
    Invalid(Json<ErrorBody>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
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

#[OpenApi(tag = "ApiTags::Reservations")]
impl ReservationsApi {
    /// The week's grid: one row per enrolled prestation of each child, one cell per day.
    #[oai(
        path = "/:slug/api/v1/reservations",
        method = "get",
        operation_id = "reservationWeek"
    )]
    async fn week(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        week: Query<Option<String>>,
        tenant: Data<&CurrentTenant>,
        session: SessionCookie,
    ) -> WeekResponse {
        let week = match week.0 {
            None => WeekId::containing(portail_tenants::calendar::paris_date(
                self.state.clock.now(),
            )),
            Some(w) => match w.parse::<WeekId>() {
                Ok(w) => w,
                Err(_) => {
                    return WeekResponse::Invalid(error(
                        "invalid_week",
                        "La semaine doit être une semaine ISO existante, par exemple 2026-W04.",
                    ));
                }
            },
        };
        match service::grid(&self.state, &tenant, &session.0, week).await {
            Ok(g) => WeekResponse::Ok(Json(week_dto(g))),
            Err(e) => match api_failure(&e) {
                (503, b) => WeekResponse::Unavailable(Json(b)),
                (_, b) => WeekResponse::Internal(Json(b)),
            },
        }
    }

    /// Book one day (idempotent).
    #[oai(
        path = "/:slug/api/v1/children/:id/reservations/:prestation/:date",
        method = "put",
        operation_id = "book"
    )]
    #[allow(clippy::too_many_arguments)] // one argument per extractor of the operation
    async fn book(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        id: Path<Uuid>,
        prestation: Path<String>,
        date: Path<String>,
        tenant: Data<&CurrentTenant>,
        req: &Request,
        session: SessionCookie,
    ) -> CellResponse {
        self.set(&tenant, req, &session, id.0, &prestation.0, &date.0, true)
            .await
    }

    /// Cancel one day (idempotent).
    #[oai(
        path = "/:slug/api/v1/children/:id/reservations/:prestation/:date",
        method = "delete",
        operation_id = "cancel"
    )]
    #[allow(clippy::too_many_arguments)] // one argument per extractor of the operation
    async fn cancel(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        id: Path<Uuid>,
        prestation: Path<String>,
        date: Path<String>,
        tenant: Data<&CurrentTenant>,
        req: &Request,
        session: SessionCookie,
    ) -> CellResponse {
        self.set(&tenant, req, &session, id.0, &prestation.0, &date.0, false)
            .await
    }

    /// Book a period for several children at once ("Réserver en masse").
    #[oai(
        path = "/:slug/api/v1/reservations/bulk",
        method = "post",
        operation_id = "bookPeriod"
    )]
    async fn bulk(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        tenant: Data<&CurrentTenant>,
        req: &Request,
        session: SessionCookie,
        body: Json<BulkRequest>,
    ) -> BulkResponse {
        if !origin_allowed(&self.state, req) {
            return BulkResponse::Forbidden(error(
                "forbidden_origin",
                "Cette requête ne vient pas du portail famille.",
            ));
        }
        let b = body.0;
        let invalid = |m: &str| BulkResponse::Invalid(error("invalid_request", m));
        let (Some(from), Some(to)) = (parse_day(&b.from), parse_day(&b.to)) else {
            return invalid(
                "Les dates doivent exister et s'écrire AAAA-MM-JJ, par exemple 2026-09-01.",
            );
        };
        let mut weekdays = Vec::new();
        for w in &b.weekdays {
            match parse_weekday(w) {
                Some(d) => weekdays.push(d),
                None => {
                    return invalid(&format!(
                        "« {w} » n'est pas un jour de la semaine (monday … sunday)."
                    ));
                }
            }
        }
        let replace = match b.mode.as_str() {
            "add" => false,
            "replace" => true,
            _ => return invalid("Le mode doit être « add » (ajouter) ou « replace » (remplacer)."),
        };
        let request = Bulk {
            prestation: b.prestation,
            children: b.children,
            weekdays,
            from,
            to,
            replace,
        };
        match service::bulk(&self.state, &tenant, &session.0, request, "api").await {
            Ok(r) => BulkResponse::Ok(Json(bulk_dto(r))),
            Err(BulkError::NotFound) => BulkResponse::NotFound(Json(not_found_body())),
            Err(BulkError::Invalid(m)) => invalid(&m),
            Err(BulkError::Database(e)) => match api_failure(&e) {
                (503, b) => BulkResponse::Unavailable(Json(b)),
                (_, b) => BulkResponse::Internal(Json(b)),
            },
        }
    }
}

impl ReservationsApi {
    #[allow(clippy::too_many_arguments)] // the cell's coordinates and who asks
    async fn set(
        &self,
        tenant: &CurrentTenant,
        req: &Request,
        session: &SessionCookie,
        child: Uuid,
        prestation: &str,
        date: &str,
        want: bool,
    ) -> CellResponse {
        if !origin_allowed(&self.state, req) {
            return CellResponse::Forbidden(error(
                "forbidden_origin",
                "Cette requête ne vient pas du portail famille.",
            ));
        }
        let Some(day) = parse_day(date) else {
            return CellResponse::Invalid(error(
                "invalid_date",
                "La date doit exister et s'écrire AAAA-MM-JJ, par exemple 2026-01-19.",
            ));
        };
        match service::set(
            &self.state,
            tenant,
            &session.0,
            child,
            prestation,
            day,
            want,
            "api",
        )
        .await
        {
            Ok(cell) => CellResponse::Ok(Json(cell_dto(&cell))),
            Err(e) => e.into(),
        }
    }
}
