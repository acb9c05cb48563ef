//! "Mes documents" (guide, section 6): the household's documents with their TÉLÉCHARGER
//! links, and the form "+ AJOUTER UN NOUVEAU DOCUMENT". The form works without JavaScript;
//! its CSRF token is its first field and is checked before the file is read.

use super::intake;
use super::repository::DocumentSummary;
use super::service::{self, FileKind, french_size};
use super::upload::Received;
use crate::auth::csrf;
use crate::auth::pages::see_other;
use crate::auth::session::SignedIn;
use crate::http::errors::{PageError, Problem};
use crate::http::form_errors::{ErrorSummary, FormField};
use crate::http::page::{Frame, PathId, SignedInPage, SignedInUpload};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::FieldErrors;
use poem::web::Query;
use poem::{Body, Request, Response, handler};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Messages a redirect may ask the page to show: a fixed list, never text from the URL.
fn info_message(key: &str) -> Option<String> {
    match key {
        "document-envoye" => Some(crate::i18n::t("document-sent")),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct InfoQuery {
    info: Option<String>,
    /// From a child's page: the form opens with that child chosen.
    personne: Option<String>,
}

/// What the form shows again after a refusal.
#[derive(Default)]
struct FormState {
    received: Received,
    errors: FieldErrors,
    /// A problem that is no field's.
    error: Option<String>,
    /// Show the form open (asked from a child's page).
    open: bool,
}

/// The id of the form's error summary.
const SUMMARY_ID: &str = "ajout-erreurs";

const FIELDS: [(&str, &str); 4] = [
    ("name", "Nom du document"),
    ("description", "Description"),
    ("person", "Personne concernée"),
    ("file", "Fichier"),
];

/// The page model of `mes_documents.hbs`.
#[derive(Serialize)]
struct DocumentsPage {
    info: Option<String>,
    open: bool,
    library: Vec<crate::library::pages::RubriqueModel>,
    /// The refusal, in the one error pattern of the parents' forms.
    summary: Option<ErrorSummary>,
    errors: DocumentErrors,
    form: TypedDocument,
    people: Vec<PersonOption>,
    documents: Vec<DocumentLine>,
    max_size: String,
}

/// The message of each field of the form, when refused.
#[derive(Serialize)]
struct DocumentErrors {
    name: Option<String>,
    description: Option<String>,
    person: Option<String>,
    file: Option<String>,
}

/// The form's text as the parent typed it.
#[derive(Serialize)]
struct TypedDocument {
    name: String,
    description: String,
}

#[derive(Serialize)]
struct PersonOption {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct DocumentLine {
    id: Uuid,
    name: String,
    description: String,
    person: String,
    date: String,
    size: String,
    kind: String,
    href: String,
}

fn document_line(slug: &str, d: &DocumentSummary) -> DocumentLine {
    let date = crate::i18n::calendar::day_with_year(crate::family::paris_date(d.created_at));
    DocumentLine {
        id: d.id,
        name: d.name.clone(),
        description: d.description.clone(),
        person: d
            .person_name
            .clone()
            .unwrap_or_else(|| crate::i18n::t("document-household")),
        date,
        size: french_size(d.size.max(0) as u64),
        kind: FileKind::from_content_type(&d.content_type)
            .map(|k| crate::i18n::t(k.label_key()))
            .unwrap_or_else(|| crate::i18n::t("document-file")),
        href: format!("/{slug}/documents/{}/telecharger", d.id),
    }
}

async fn render(
    frame: &Frame,
    state: &AppState,
    tenant: &CurrentTenant,
    account: &SignedIn,
    info: Option<&str>,
    form: FormState,
    status: u16,
) -> Result<Response, PageError> {
    let (documents, children) = service::page(state, tenant, account.household_id).await?;
    let rubriques = crate::library::service::for_guardian(state, tenant, account).await?;
    let library = crate::library::pages::rubriques_model(&frame.slug, rubriques);
    let chosen = form.received.person.trim().to_string();
    let mut people = vec![PersonOption {
        value: String::new(),
        label: crate::i18n::t("household-common"),
        selected: chosen.is_empty(),
    }];
    people.extend(children.iter().map(|c| PersonOption {
        value: c.id.to_string(),
        label: c.name.clone(),
        selected: c.id.to_string() == chosen,
    }));
    let field_error = |key: &str| form.errors.0.get(key).cloned();
    let fields: Vec<FormField> = FIELDS
        .iter()
        .map(|(key, _french)| FormField {
            key,
            input: format!("doc-{key}"),
            label: crate::i18n::t(&format!("document-{key}")),
        })
        .collect();
    let summary = match &form.error {
        Some(error) => Some(ErrorSummary::sentence(SUMMARY_ID, error.clone())),
        None => ErrorSummary::of(
            SUMMARY_ID,
            crate::i18n::t("document-refused"),
            &form.errors,
            &fields,
        ),
    };
    let model = DocumentsPage {
        info: info.map(str::to_string),
        open: summary.is_some() || form.open,
        library,
        summary,
        errors: DocumentErrors {
            name: field_error("name"),
            description: field_error("description"),
            person: field_error("person"),
            file: field_error("file"),
        },
        form: TypedDocument {
            name: form.received.name.clone(),
            description: form.received.description.clone(),
        },
        people,
        documents: documents
            .iter()
            .map(|d| document_line(&frame.slug, d))
            .collect(),
        max_size: french_size(state.settings.max_upload_bytes),
    };
    Ok(frame.render_with_status("mes_documents", "Mes documents", "documents", model, status))
}

#[handler]
pub async fn list(
    Query(query): Query<InfoQuery>,
    ctx: SignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, account) = ctx.parts();
    let info = query.info.as_deref().and_then(info_message);
    let mut form = FormState::default();
    if let Some(person) = query.personne {
        form.received.person = person;
        form.open = true;
    }
    render(&frame, state, tenant, &account, info.as_deref(), form, 200).await
}

#[handler]
pub async fn upload(
    // Who sends it comes from the cookie: a signed-out browser is sent to the sign-in page
    // before a byte of the body is read.
    SignedInUpload(ctx): SignedInUpload<'_>,
    req: &Request,
    body: Body,
) -> Result<Response, PageError> {
    let (state, tenant, frame, account) = ctx.parts();
    let check = |token: &str| csrf::valid_for_session(req, Some(token));
    let (received, permit, read) = intake::read_page(state, req, body, &check).await?;
    let shown = received.without_file();
    let failure = match read {
        Err(e) => e,
        Ok(()) => match service::create(state, tenant, &account, received, &permit, "page").await {
            Ok(_) => {
                return Ok(see_other(format!(
                    "/{}/documents?info=document-envoye#documents-titre",
                    tenant.slug()
                )));
            }
            Err(e) => e,
        },
    };
    let status = failure.status().as_u16();
    let mut form = FormState {
        received: shown,
        ..FormState::default()
    };
    intake::show_refusal(failure, &mut form.errors, &mut form.error)?;
    render(&frame, state, tenant, &account, None, form, status).await
}

#[handler]
pub async fn download(ctx: SignedInPage<'_>, PathId(id): PathId) -> Result<Response, PageError> {
    let (state, tenant, _, signed) = ctx.parts();
    let file = service::download(state, tenant, &signed, id, "page").await?;
    Ok(service::file_response(
        service::download_headers(&file),
        file.data,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::page::render_sample;

    #[tokio::test]
    async fn the_documents_page_renders_from_its_model() {
        let page = DocumentsPage {
            info: None,
            open: true,
            library: vec![],
            summary: Some(ErrorSummary {
                id: SUMMARY_ID.into(),
                intro: "Refusé".into(),
                items: vec![crate::http::form_errors::ErrorLink {
                    href: "#doc-name".into(),
                    text: "Nom du document : Indiquez <un> nom.".into(),
                }],
            }),
            errors: DocumentErrors {
                name: Some("Indiquez <un> nom.".into()),
                description: None,
                person: None,
                file: None,
            },
            form: TypedDocument {
                name: String::new(),
                description: "Mon <texte>".into(),
            },
            people: vec![PersonOption {
                value: String::new(),
                label: "Foyer".into(),
                selected: true,
            }],
            documents: vec![DocumentLine {
                id: Uuid::nil(),
                name: "Attestation <CAF>".into(),
                description: String::new(),
                person: "Théo ALAIN".into(),
                date: "07/12/2026".into(),
                size: "12 Ko".into(),
                kind: "PDF".into(),
                href: "/demo/documents/x/telecharger".into(),
            }],
            max_size: "5 Mo".into(),
        };
        let html = render_sample("mes_documents", &page).await;
        assert!(html.contains("href=\"#doc-name\"") && html.contains("Indiquez &lt;un&gt; nom."));
        assert!(html.contains("Mon &lt;texte&gt;") && html.contains("Attestation &lt;CAF&gt;"));
    }
}
