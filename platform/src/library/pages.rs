//! The parents' side of the library on "Mes documents": the rubriques with their "new"
//! counts, and `/{slug}/documents/bibliotheque/{id}`, a published file opened inline.

use super::service::{self, RubriqueView};
use crate::documents::service::{file_response, french_size};
use crate::documents::upload::FileKind;
use crate::http::errors::PageError;
use crate::http::page::{PathId, SignedInPage};
use poem::{Response, handler};
use serde::Serialize;

#[derive(Serialize)]
pub struct PublishedLine {
    name: String,
    date: String,
    kind: String,
    size: String,
    new: bool,
    href: String,
}

#[derive(Serialize)]
pub struct RubriqueModel {
    code: String,
    name: String,
    new: i64,
    documents: Vec<PublishedLine>,
}

/// The rubriques as "Mes documents" shows them.
pub fn rubriques_model(slug: &str, rubriques: Vec<RubriqueView>) -> Vec<RubriqueModel> {
    rubriques
        .into_iter()
        .map(|r| RubriqueModel {
            code: r.code,
            name: r.name,
            new: r.new,
            documents: r
                .documents
                .into_iter()
                .map(|d| PublishedLine {
                    date: crate::i18n::calendar::day_with_year(d.published_on),
                    kind: FileKind::from_content_type(&d.content_type)
                        .map(|k| crate::i18n::t(k.label_key()))
                        .unwrap_or_else(|| crate::i18n::t("document-file")),
                    size: french_size(d.size.max(0) as u64),
                    href: format!("/{slug}/documents/bibliotheque/{}", d.id),
                    name: d.name,
                    new: d.new,
                })
                .collect(),
        })
        .collect()
}

/// A published file, inline (PDF and images open in the browser's viewer); no longer new
/// to this guardian.
#[handler]
pub async fn open(ctx: SignedInPage<'_>, PathId(id): PathId) -> Result<Response, PageError> {
    let (state, tenant, _, signed) = ctx.parts();
    let file = service::open(state, tenant, &signed, id, "page").await?;
    Ok(file_response(service::inline_headers(&file), file.data))
}
