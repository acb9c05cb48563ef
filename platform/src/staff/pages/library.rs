//! The library's back-office page (`gestionnaire`): publish a document into a rubrique for
//! everyone, a structure or a school, replace one, withdraw one. The upload form is
//! multipart; its CSRF token is its first field, checked before the file is read.

use crate::auth::csrf;
use crate::documents::intake;
use crate::documents::service::french_size;
use crate::documents::upload::Received;
use crate::http::errors::{PageError, Problem};
use crate::http::page::{NoFields, PathId};
use crate::i18n::{t, t_args};
use crate::library::repository::StaffDocument;
use crate::library::service;
use crate::staff::Gestionnaire;
use crate::staff::auth::STAFF_COOKIE;
use crate::staff::guard::{StaffForm, StaffPage, StaffView};
use crate::validation::FieldErrors;
use poem::web::Query;
use poem::{Body, Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
pub struct DocumentLine {
    name: String,
    rubrique: String,
    audience: String,
    period: String,
    readers: i64,
    withdraw_href: String,
}

#[derive(Serialize, Default)]
pub struct FormValues {
    name: String,
    published_on: String,
    until: String,
}

/// The page's model.
#[derive(Serialize)]
pub struct LibraryPage {
    info: Option<String>,
    refused: bool,
    error: Option<String>,
    errors: BTreeMap<String, String>,
    form: FormValues,
    rubriques: Vec<Choice>,
    audiences: Vec<Choice>,
    replaceable: Vec<Choice>,
    documents: Vec<DocumentLine>,
    max_size: String,
}

const LIBRARY: StaffView = StaffView {
    template: "staff_bibliotheque",
    title: "staff-library-title",
    nav: "bibliotheque",
};

#[derive(Deserialize)]
pub struct InfoQuery {
    info: Option<String>,
}

fn info_message(key: &str) -> Option<String> {
    Some(t(match key {
        "publie" => "staff-library-published",
        "retire" => "staff-library-withdrawn",
        _ => return None,
    }))
}

/// What the form shows again after a refusal.
#[derive(Default)]
struct Shown {
    received: Received,
    errors: FieldErrors,
    error: Option<String>,
}

fn choice(value: String, label: String, chosen: &str) -> Choice {
    Choice {
        selected: value == chosen,
        value,
        label,
    }
}

fn audience_label(d: &StaffDocument, structures: &[(String, String)]) -> String {
    match d.audience_kind.as_str() {
        "structure" => structures
            .iter()
            .find(|(code, _)| *code == d.audience_value)
            .map(|(_, name)| {
                t_args(
                    "staff-library-for-structure",
                    &[("name", name.clone().into())],
                )
            })
            .unwrap_or_else(|| d.audience_value.clone()),
        "school" => t_args(
            "staff-library-for-school",
            &[("name", d.audience_value.clone().into())],
        ),
        _ => t("staff-library-for-all"),
    }
}

async fn render(
    page: &StaffPage<Gestionnaire>,
    info: Option<String>,
    shown: Shown,
    status: u16,
) -> Result<Response, PageError> {
    let (documents, schools, config) = service::staff_view(&page.state, &page.tenant).await?;
    let field = |key: &str| shown.received.library.get(key).cloned().unwrap_or_default();
    let structures: Vec<(String, String)> = config
        .structures
        .iter()
        .map(|s| (s.code.clone(), s.name.clone()))
        .collect();
    let rubrique = field("rubrique");
    let audience = field("audience");
    let replaces = field("replaces");
    let mut audiences = vec![choice("all".into(), t("staff-library-for-all"), &audience)];
    audiences.extend(structures.iter().map(|(code, name)| {
        choice(
            format!("structure:{code}"),
            t_args(
                "staff-library-for-structure",
                &[("name", name.clone().into())],
            ),
            &audience,
        )
    }));
    audiences.extend(schools.iter().map(|school| {
        choice(
            format!("school:{school}"),
            t_args(
                "staff-library-for-school",
                &[("name", school.clone().into())],
            ),
            &audience,
        )
    }));
    let rubrique_name = |code: &str| {
        config
            .rubriques
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let mut replaceable = vec![choice(
        String::new(),
        t("staff-library-replaces-none"),
        &replaces,
    )];
    replaceable.extend(documents.iter().map(|d| {
        choice(
            d.id.to_string(),
            format!("{} ({})", d.name, rubrique_name(&d.rubrique)),
            &replaces,
        )
    }));
    let model = LibraryPage {
        info,
        refused: !shown.errors.is_empty() || shown.error.is_some(),
        error: shown.error,
        errors: shown.errors.0,
        form: FormValues {
            name: shown.received.name.clone(),
            published_on: field("published_on"),
            until: field("until"),
        },
        rubriques: config
            .rubriques
            .iter()
            .map(|r| choice(r.code.clone(), r.name.clone(), &rubrique))
            .collect(),
        audiences,
        replaceable,
        documents: documents
            .iter()
            .map(|d| DocumentLine {
                name: d.name.clone(),
                rubrique: rubrique_name(&d.rubrique),
                audience: audience_label(d, &structures),
                period: match d.until {
                    Some(until) => t_args(
                        "staff-library-period-until",
                        &[
                            ("from", d.published_on.format("%d/%m/%Y").to_string().into()),
                            ("until", until.format("%d/%m/%Y").to_string().into()),
                        ],
                    ),
                    None => t_args(
                        "staff-library-period-from",
                        &[("from", d.published_on.format("%d/%m/%Y").to_string().into())],
                    ),
                },
                readers: d.readers,
                withdraw_href: format!(
                    "/{}/gestion/bibliotheque/{}/retirer",
                    page.frame.slug, d.id
                ),
            })
            .collect(),
        max_size: french_size(page.state.settings.max_upload_bytes),
    };
    Ok(page.frame.show(&LIBRARY, &model, status))
}

#[handler]
pub async fn library_page(
    Query(query): Query<InfoQuery>,
    page: StaffPage<Gestionnaire>,
) -> Result<Response, PageError> {
    let info = query.info.as_deref().and_then(info_message);
    render(&page, info, Shown::default(), 200).await
}

/// The publication form: who sends it is known (and checked) before its body is read.
#[handler]
pub async fn publish(
    page: StaffPage<Gestionnaire>,
    req: &Request,
    body: Body,
) -> Result<Response, PageError> {
    let check = |token: &str| csrf::valid_for_session_cookie(req, Some(token), STAFF_COOKIE);
    let (received, permit, read) = intake::read_page(&page.state, req, body, &check).await?;
    let mut shown = Shown {
        received: received.without_file(),
        ..Shown::default()
    };
    let failure = match read {
        Err(e) => e,
        Ok(()) => {
            let (state, tenant) = (&page.state, &page.tenant);
            match service::publish(state, tenant, &page.member, received, &permit, "page").await {
                Ok(_) => return Ok(page.frame.redirect("bibliotheque?info=publie")),
                Err(e) => e,
            }
        }
    };
    let status = failure.status().as_u16();
    intake::show_refusal(failure, &mut shown.errors, &mut shown.error)?;
    render(&page, None, shown, status).await
}

#[handler]
pub async fn withdraw(
    PathId(id): PathId,
    page: StaffForm<Gestionnaire, NoFields>,
) -> Result<Response, PageError> {
    service::withdraw(&page.state, &page.tenant, &page.member, id, "page").await?;
    Ok(page.frame.redirect("bibliotheque?info=retire"))
}
