//! The day's counts per prestation and the attendance lists (page and CSV).

use crate::http::errors::PageError;
use crate::staff::Gestionnaire;
use crate::staff::counts::{self, Attendance, PrestationCount};
use crate::staff::guard::{StaffPage, StaffView};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::Query;
use poem::{Response, handler};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct DayQuery {
    date: Option<String>,
    prestation: Option<String>,
}

/// The day asked for, else today in Paris.
pub(super) fn day_of(state: &AppState, raw: Option<&str>) -> chrono::NaiveDate {
    raw.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| {
            state
                .clock
                .now()
                .with_timezone(&chrono_tz::Europe::Paris)
                .date_naive()
        })
}

#[derive(Serialize)]
pub struct DietLine {
    pub diet: String,
    pub count: i64,
}

#[derive(Serialize)]
pub struct CountLine {
    pub code: String,
    pub name: String,
    pub booked: i64,
    pub capacity: Option<i32>,
    pub pai: i64,
    pub diets: Vec<DietLine>,
    pub classes: Vec<counts::ClassCount>,
}

#[derive(Serialize)]
pub struct CountsPage {
    pub date: String,
    pub date_label: String,
    pub prestations: Vec<CountLine>,
}

const COUNTS: StaffView = StaffView {
    template: "staff_effectifs",
    title: "title-staff-counts",
    nav: "effectifs",
};

pub(super) fn counts_model(day: chrono::NaiveDate, found: Vec<PrestationCount>) -> CountsPage {
    CountsPage {
        date: day.format("%Y-%m-%d").to_string(),
        date_label: day.format("%d/%m/%Y").to_string(),
        prestations: found
            .into_iter()
            .map(|p| CountLine {
                diets: p
                    .diets
                    .into_iter()
                    .map(|(diet, count)| DietLine { diet, count })
                    .collect(),
                code: p.code,
                name: p.name,
                booked: p.booked,
                capacity: p.capacity,
                pai: p.pai,
                classes: p.classes,
            })
            .collect(),
    }
}

#[handler]
pub async fn counts_page(
    Query(query): Query<DayQuery>,
    page: StaffPage<Gestionnaire>,
) -> Result<Response, PageError> {
    let day = day_of(&page.state, query.date.as_deref());
    let found = counts::counts(&page.state, &page.tenant, day).await?;
    Ok(page.frame.show(&COUNTS, &counts_model(day, found), 200))
}

#[derive(Serialize)]
pub struct AttendancePage {
    pub list: Attendance,
    pub date: String,
    pub date_label: String,
    pub csv_href: String,
}

const ATTENDANCE: StaffView = StaffView {
    template: "staff_liste",
    title: "title-staff-attendance",
    nav: "effectifs",
};

async fn attendance_of(
    state: &AppState,
    tenant: &CurrentTenant,
    query: &DayQuery,
) -> Result<Attendance, PageError> {
    let day = day_of(state, query.date.as_deref());
    let prestation = query.prestation.clone().unwrap_or_default();
    Ok(counts::attendance(state, tenant, day, &prestation).await?)
}

#[handler]
pub async fn attendance_page(
    Query(query): Query<DayQuery>,
    page: StaffPage<Gestionnaire>,
) -> Result<Response, PageError> {
    let list = attendance_of(&page.state, &page.tenant, &query).await?;
    let model = AttendancePage {
        date: list.date.format("%Y-%m-%d").to_string(),
        date_label: list.date.format("%d/%m/%Y").to_string(),
        csv_href: format!(
            "/{}/gestion/effectifs/liste.csv?date={}&prestation={}",
            page.frame.slug,
            list.date.format("%Y-%m-%d"),
            list.prestation
        ),
        list,
    };
    Ok(page.frame.show(&ATTENDANCE, &model, 200))
}

/// The attendance list as a CSV download.
#[handler]
pub async fn attendance_csv(
    Query(query): Query<DayQuery>,
    page: StaffPage<Gestionnaire>,
) -> Result<Response, PageError> {
    let list = attendance_of(&page.state, &page.tenant, &query).await?;
    let file = format!("presences-{}-{}.csv", list.prestation, list.date);
    Ok(Response::builder()
        .content_type("text/csv; charset=utf-8")
        .header(
            "content-disposition",
            format!("attachment; filename=\"{file}\""),
        )
        .header("cache-control", "no-store")
        .header("x-content-type-options", "nosniff")
        .body(counts::to_csv(&list)))
}
