//! The rules of the library: what a publication must hold, who sees what, and how a
//! published file goes back to the browser.

use super::repository::{self, NewPublication, Published, PublishedFile, StaffDocument};
use crate::audit::{self, Event};
use crate::auth::session::SignedIn;
use crate::documents::service::{Delivery, DocumentError, checked_name, file_headers};
use crate::documents::upload::Received;
use crate::staff::auth::StaffSigned;
use crate::state::AppState;
use crate::tenancy::{CurrentTenant, current_config};
use crate::validation::{self, FieldErrors};
use chrono::NaiveDate;
use portail_tenants::TenantConfig;
use portail_tenants::config::Rubrique;
use sea_orm::DbErr;
use serde::Serialize;
use uuid::Uuid;

const SCHOOL_MAX: usize = 200;

/// Today in the municipality (France).
pub fn today(state: &AppState) -> NaiveDate {
    state
        .clock
        .now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
}

/// One rubrique with the documents the guardian may see in it.
#[derive(Debug, Clone, Serialize)]
pub struct RubriqueView {
    pub code: String,
    pub name: String,
    /// Documents not opened yet by this guardian.
    pub new: i64,
    pub documents: Vec<Published>,
}

/// The configured rubriques in their order, each with its documents; a document of a
/// rubrique no longer configured is not shown.
pub fn group(rubriques: &[Rubrique], documents: Vec<Published>) -> Vec<RubriqueView> {
    let mut views: Vec<RubriqueView> = rubriques
        .iter()
        .map(|r| RubriqueView {
            code: r.code.clone(),
            name: r.name.clone(),
            new: 0,
            documents: vec![],
        })
        .collect();
    for d in documents {
        if let Some(view) = views.iter_mut().find(|v| v.code == d.rubrique) {
            view.new += i64::from(d.new);
            view.documents.push(d);
        }
    }
    views
}

/// The rubriques as the signed-in guardian sees them today.
pub async fn for_guardian(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
) -> Result<Vec<RubriqueView>, DbErr> {
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    let documents =
        repository::visible(&tx, who.household_id, who.guardian_id, today(state)).await?;
    tx.commit().await?;
    Ok(group(&config.rubriques, documents))
}

/// A published file the household may see; it is no longer new to this guardian, and the
/// read is audited.
pub async fn open(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
    id: Uuid,
    origin: &str,
) -> Result<PublishedFile, DocumentError> {
    let tx = tenant.begin(state).await?;
    let file = repository::visible_file(&tx, who.household_id, today(state), id)
        .await?
        .ok_or(DocumentError::NotFound)?;
    repository::mark_read(&tx, who.guardian_id, id, state.clock.now()).await?;
    audit::download_by_guardian(&tx, who, origin, "library_document", id).await?;
    tx.commit().await?;
    Ok(file)
}

/// The headers of a published file: its type, `inline` so that PDFs and images open in the
/// browser's viewer (to read or print), never sniffed, never stored by a shared cache.
pub fn inline_headers(file: &PublishedFile) -> [(&'static str, String); 4] {
    file_headers(&file.name, &file.content_type, Delivery::Inline)
}

/// Who a document is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    All,
    Structure(String),
    School(String),
}

impl Audience {
    /// `all`, `structure:<code>` (a configured structure) or `school:<name>`.
    pub fn parse(text: &str, config: &TenantConfig) -> Option<Audience> {
        let text = text.trim();
        if text == "all" {
            return Some(Audience::All);
        }
        if let Some(code) = text.strip_prefix("structure:") {
            return config
                .structures
                .iter()
                .any(|s| s.code == code)
                .then(|| Audience::Structure(code.to_string()));
        }
        let school = text.strip_prefix("school:")?.trim();
        (!school.is_empty() && school.chars().count() <= SCHOOL_MAX)
            .then(|| Audience::School(school.to_string()))
    }

    fn columns(&self) -> (&'static str, &str) {
        match self {
            Audience::All => ("all", ""),
            Audience::Structure(code) => ("structure", code),
            Audience::School(name) => ("school", name),
        }
    }
}

/// The checked fields of a publication.
struct Checked {
    rubrique: String,
    name: String,
    /// `None` when refused (the error is in the field errors).
    audience: Option<Audience>,
    published_on: NaiveDate,
    until: Option<NaiveDate>,
    replaces: Option<Uuid>,
}

fn field<'a>(form: &'a Received, key: &str) -> &'a str {
    form.library.get(key).map(|s| s.trim()).unwrap_or("")
}

fn date(errors: &mut FieldErrors, form: &Received, key: &str) -> Result<Option<NaiveDate>, ()> {
    match field(form, key) {
        "" => Ok(None),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| errors.add(key, crate::i18n::t("library-date-invalid"))),
    }
}

/// Every field at once, so the form shows every problem together.
fn check(form: &Received, config: &TenantConfig, today: NaiveDate) -> (Checked, FieldErrors) {
    let mut errors = FieldErrors::default();
    let rubrique = field(form, "rubrique").to_string();
    if !config.rubriques.iter().any(|r| r.code == rubrique) {
        errors.add("rubrique", crate::i18n::t("library-rubrique-unknown"));
    }
    let name = checked_name(&mut errors, form);
    let audience = Audience::parse(field(form, "audience"), config);
    if audience.is_none() {
        errors.add("audience", crate::i18n::t("library-audience-invalid"));
    }
    let published_on = date(&mut errors, form, "published_on");
    let until = date(&mut errors, form, "until");
    let published_on = published_on.ok().flatten().unwrap_or(today);
    if let Ok(Some(until)) = until
        && until < published_on
    {
        errors.add("until", crate::i18n::t("library-until-before"));
    }
    let replaces = field(form, "replaces");
    let unknown = "library-replaces-unknown";
    let replaces = validation::optional_id(&mut errors, "replaces", replaces, unknown);
    if form.file.is_none() {
        errors.add("file", crate::i18n::t("document-file-required"));
    }
    let checked = Checked {
        rubrique,
        name,
        audience,
        published_on,
        until: until.ok().flatten(),
        replaces,
    };
    (checked, errors)
}

/// Publishes a document (and withdraws the one it replaces), with its audit entry, in one
/// transaction. `origin` is `page` or `api`.
pub async fn publish(
    state: &AppState,
    tenant: &CurrentTenant,
    member: &StaffSigned,
    form: Received,
    permit: &crate::documents::gate::UploadPermit,
    origin: &str,
) -> Result<Uuid, DocumentError> {
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    let (checked, mut errors) = check(&form, &config, today(state));
    if let Some(old) = checked.replaces
        && !repository::is_live(&tx, old).await?
    {
        errors.add("replaces", crate::i18n::t("library-replaces-unknown"));
    }
    let (audience, file) = match (&checked.audience, form.file) {
        (Some(audience), Some(file)) if errors.is_empty() => (audience, file),
        _ => return Err(DocumentError::Invalid(errors)),
    };
    let whom = format!("staff {}", member.id);
    let kind = file.kind;
    // In memory from here to the commit, under the gate's bound.
    let (bytes, _held) = file.load(permit).await?;
    let guard = crate::documents::guard::clean(tenant, &whom, kind, bytes).await?;
    crate::documents::guard::scan(state, tenant, &whom, &guard).await?;
    let id = Uuid::new_v4();
    let now = state.clock.now();
    let (audience_kind, audience_value) = audience.columns();
    repository::insert(
        &tx,
        NewPublication {
            id,
            rubrique: &checked.rubrique,
            name: &checked.name,
            audience_kind,
            audience_value,
            published_on: checked.published_on,
            until: checked.until,
            content_type: kind.content_type(),
            data: guard,
            published_by: member.id,
            replaces: checked.replaces,
            at: now,
        },
    )
    .await?;
    if let Some(old) = checked.replaces {
        repository::withdraw(&tx, old, now).await?;
        staff_event(&tx, member, origin, "withdraw", old).await?;
    }
    staff_event(&tx, member, origin, "create", id).await?;
    tx.commit().await?;
    tracing::info!(tenant.slug = tenant.slug(), document.id = %id, "library document published");
    Ok(id)
}

async fn staff_event(
    tx: &portail_tenants::TenantTx,
    member: &StaffSigned,
    origin: &str,
    action: &str,
    id: Uuid,
) -> Result<(), DbErr> {
    audit::record(
        tx,
        Event {
            actor: crate::staff::accounts::actor(member.id),
            action,
            entity: "library_document",
            entity_id: id.to_string(),
            fields: vec![],
            household_id: None,
            origin,
        },
    )
    .await
}

/// Withdraws a live document: parents no longer list nor open it.
pub async fn withdraw(
    state: &AppState,
    tenant: &CurrentTenant,
    member: &StaffSigned,
    id: Uuid,
    origin: &str,
) -> Result<(), DocumentError> {
    let tx = tenant.begin(state).await?;
    if !repository::withdraw(&tx, id, state.clock.now()).await? {
        return Err(DocumentError::NotFound);
    }
    staff_event(&tx, member, origin, "withdraw", id).await?;
    tx.commit().await?;
    Ok(())
}

/// What the back-office page shows: the live documents, the schools for the audience
/// choices, the configuration (rubriques and structures).
pub async fn staff_view(
    state: &AppState,
    tenant: &CurrentTenant,
) -> Result<
    (
        Vec<StaffDocument>,
        Vec<String>,
        std::sync::Arc<TenantConfig>,
    ),
    DbErr,
> {
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    let documents = repository::live(&tx).await?;
    let schools = repository::schools(&tx).await?;
    tx.commit().await?;
    Ok((documents, schools, config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> TenantConfig {
        TenantConfig::from_toml(include_str!("../../../tenants/examples/demo.toml")).unwrap()
    }

    #[test]
    fn an_audience_names_everyone_a_configured_structure_or_a_school() {
        let config = config();
        assert_eq!(Audience::parse("all", &config), Some(Audience::All));
        assert_eq!(
            Audience::parse("structure:resto-peri", &config),
            Some(Audience::Structure("resto-peri".into()))
        );
        assert_eq!(Audience::parse("structure:inconnue", &config), None);
        assert_eq!(
            Audience::parse("school:École Jean Macé", &config),
            Some(Audience::School("École Jean Macé".into()))
        );
        assert_eq!(Audience::parse("school:  ", &config), None);
        assert_eq!(Audience::parse("tous", &config), None);
    }

    #[test]
    fn a_publication_names_every_bad_field_at_once() {
        let mut form = Received::default();
        for (key, value) in [
            ("rubrique", "recettes"),
            ("audience", "structure:nulle-part"),
            ("published_on", "2027-01-10"),
            ("until", "2027-01-01"),
            ("replaces", "pas-un-id"),
        ] {
            form.library.insert(
                crate::documents::upload::LIBRARY_FIELDS
                    .into_iter()
                    .find(|f| *f == key)
                    .unwrap(),
                value.into(),
            );
        }
        let today = NaiveDate::from_ymd_opt(2027, 1, 11).unwrap();
        let (checked, errors) = check(&form, &config(), today);
        assert!(checked.audience.is_none());
        let mut keys: Vec<_> = errors.0.keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["audience", "file", "name", "replaces", "rubrique", "until"]
        );
    }

    #[test]
    fn published_files_open_inline_under_a_safe_name() {
        let file = PublishedFile {
            name: "Menus \"janvier\"".into(),
            content_type: "application/pdf".into(),
            data: vec![],
        };
        let headers = inline_headers(&file);
        assert_eq!(
            headers[1].1,
            "inline; filename=\"Menus _janvier_.pdf\"; filename*=UTF-8''Menus%20_janvier_.pdf"
        );
        assert_eq!(headers[2].1, "nosniff");
    }
}
