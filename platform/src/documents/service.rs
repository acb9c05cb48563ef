//! The rules of documents: which files are accepted, what a form must hold, who may read a
//! document, and how a file goes back to the browser.
//!
//! A document belongs to one household, and optionally to one of its children. Every query
//! names the signed-in guardian's household: a document of another household, or of another
//! municipality with the same id, is "not found". Each upload and each download is written to
//! the audit log, in the same transaction, with field names only.

use super::gate::UploadPermit;
use super::repository::{self, DocumentSummary, NewDocument, StoredFile};
use super::upload::Received;
use crate::audit;
use crate::auth::session::SignedIn;
use crate::http::errors::{
    Details, FORBIDDEN, Failure, INTERNAL, Problem, UNAUTHORIZED, fields, invalid_fields_message,
};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::{self, FieldErrors};
use poem::http::StatusCode;
use sea_orm::DbErr;
use uuid::Uuid;

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;

pub use super::upload::FileKind;

/// Why a document could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("file larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("file type not accepted")]
    UnsupportedType,
    #[error("malformed upload")]
    Malformed,
    /// A body that is not `multipart/form-data`.
    #[error("not a multipart body")]
    NotMultipart,
    #[error("invalid fields")]
    Invalid(FieldErrors),
    /// Not in the signed-in guardian's household, or not at all.
    #[error("not found")]
    NotFound,
    /// The antivirus (`CLAMD_ADDRESS`) cannot be reached: the file is held back, not stored.
    #[error("antivirus unreachable")]
    ScanUnavailable,
    /// Every upload slot of the process is taken (`UPLOAD_CONCURRENCY`): try again shortly.
    #[error("too many uploads at once")]
    Busy,
    /// The temporary file of an upload could not be written or read back.
    #[error("upload spool")]
    Spool(#[from] std::io::Error),
    #[error("database")]
    Database(#[from] DbErr),
}

impl From<super::gate::Busy> for DocumentError {
    fn from(_: super::gate::Busy) -> Self {
        DocumentError::Busy
    }
}

impl DocumentError {
    pub fn from_read(e: super::upload::ReadError, limit: u64) -> Self {
        use super::upload::ReadError;
        match e {
            ReadError::TooLarge => DocumentError::TooLarge { limit },
            ReadError::UnsupportedType => DocumentError::UnsupportedType,
            // A page answers a bad token itself, before this; for the API it cannot happen.
            ReadError::Malformed | ReadError::Csrf => DocumentError::Malformed,
            ReadError::Spool => DocumentError::Spool(std::io::Error::other("spool")),
        }
    }
}

impl Problem for DocumentError {
    fn status(&self) -> StatusCode {
        match self {
            DocumentError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            DocumentError::UnsupportedType | DocumentError::NotMultipart => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            DocumentError::Malformed => StatusCode::BAD_REQUEST,
            DocumentError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            DocumentError::NotFound => Failure::NotFound.status(),
            DocumentError::ScanUnavailable | DocumentError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            DocumentError::Spool(_) => Failure::Internal.status(),
            DocumentError::Database(e) => Failure::of(e).status(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            DocumentError::TooLarge { .. } => "file_too_large",
            DocumentError::UnsupportedType => "unsupported_file_type",
            DocumentError::NotMultipart => "unsupported_media_type",
            DocumentError::Malformed => "invalid_upload",
            DocumentError::Invalid(_) => "invalid_fields",
            DocumentError::NotFound => Failure::NotFound.code(),
            DocumentError::ScanUnavailable => "antivirus_unavailable",
            DocumentError::Busy => "uploads_busy",
            DocumentError::Spool(_) => Failure::Internal.code(),
            DocumentError::Database(e) => Failure::of(e).code(),
        }
    }

    fn message(&self) -> String {
        match self {
            DocumentError::TooLarge { limit } => crate::i18n::t_args(
                "document-too-large",
                &[("size", french_size(*limit).into())],
            ),
            DocumentError::UnsupportedType => crate::i18n::t("document-unsupported"),
            DocumentError::NotMultipart => crate::i18n::t("document-not-multipart"),
            DocumentError::Malformed => crate::i18n::t("document-malformed"),
            DocumentError::Invalid(_) => invalid_fields_message(),
            DocumentError::NotFound => Failure::NotFound.message(),
            DocumentError::ScanUnavailable => crate::i18n::t("document-antivirus-unavailable"),
            DocumentError::Busy => crate::i18n::t("document-uploads-busy"),
            DocumentError::Spool(_) => Failure::Internal.message(),
            DocumentError::Database(e) => Failure::of(e).message(),
        }
    }

    fn details(&self) -> Details {
        match self {
            DocumentError::Invalid(errors) => fields(errors),
            DocumentError::Busy => Details::RetryAfter(super::gate::RETRY_AFTER_SECONDS),
            _ => Details::None,
        }
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[
            (400, "Not a complete multipart form (`invalid_upload`)."),
            UNAUTHORIZED,
            FORBIDDEN,
            (
                404,
                "No document of the household has this id (`not_found`): another household's or another municipality's is not found either.",
            ),
            (
                413,
                "The file (or the body) passes `MAX_UPLOAD_BYTES` (`file_too_large`); reading stops there.",
            ),
            (
                415,
                "Not a PDF, JPEG or PNG, whatever its name says (`unsupported_file_type`), or a body that is not `multipart/form-data` (`unsupported_media_type`).",
            ),
            (
                422,
                "Missing or invalid fields, each with its French message (`invalid_fields`); `person` naming anyone but a child of the household is refused here, and so are a PDF with active content, an unreadable image, a full household quota and a file the antivirus flags.",
            ),
            (
                503,
                "A dependency is unreachable (`service_unavailable`), or the antivirus is (`antivirus_unavailable`): the file is not stored; or every upload slot of the server is taken (`uploads_busy`, nothing read): try again after `Retry-After` seconds.",
            ),
            INTERNAL,
        ]
    }
}

/// Spaces for line breaks and tabs, runs of spaces as one, trimmed.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn has_control(text: &str, allow_newlines: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(allow_newlines && matches!(c, '\n' | '\r' | '\t')))
}

/// The name of a sent or published document: one line, `NAME_MAX` characters at most. Format
/// characters (U+202E…) are removed: they would make the name read otherwise than it is.
pub fn checked_name(errors: &mut FieldErrors, form: &Received) -> String {
    let name = one_line(&super::hostile::strip_format_chars(&form.name));
    if form.overlong.contains(&"name") || name.chars().count() > NAME_MAX {
        errors.add(
            "name",
            crate::i18n::t_args(
                "document-name-too-long",
                &[("max", (NAME_MAX as i64).into())],
            ),
        );
    } else if name.is_empty() {
        errors.add("name", crate::i18n::t("document-name-required"));
    } else if has_control(&name, false) {
        errors.add("name", crate::i18n::t("document-name-chars"));
    }
    name
}

/// The checked fields of an upload.
struct Checked {
    name: String,
    description: String,
    person: Option<Uuid>,
}

/// Every field at once, so the form shows every problem together. Whether the person is a
/// child of the household is checked with the database, in [`create`].
fn check(form: &Received) -> (Checked, FieldErrors) {
    let mut errors = FieldErrors::default();
    let name = checked_name(&mut errors, form);
    let description =
        super::hostile::strip_format_chars(form.description.trim()).replace("\r\n", "\n");
    if form.overlong.contains(&"description") || description.chars().count() > DESCRIPTION_MAX {
        errors.add(
            "description",
            crate::i18n::t_args(
                "document-description-too-long",
                &[("max", (DESCRIPTION_MAX as i64).into())],
            ),
        );
    } else if has_control(&description, true) {
        errors.add("description", crate::i18n::t("document-description-chars"));
    }
    let refused = "document-person-refused";
    let person = validation::optional_id(&mut errors, "person", &form.person, refused);
    if form.file.is_none() {
        errors.add("file", crate::i18n::t("document-file-required"));
    }
    (
        Checked {
            name,
            description,
            person,
        },
        errors,
    )
}

/// Stores a document for the signed-in guardian's household, with its audit entry, in one
/// transaction. `origin` is `page` or `api`.
pub async fn create(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
    form: Received,
    permit: &UploadPermit,
    origin: &str,
) -> Result<DocumentSummary, DocumentError> {
    let (checked, mut errors) = check(&form);
    let tx = tenant.begin(state).await?;
    if let Some(child) = checked.person
        && !repository::child_in_household(&tx, who.household_id, child).await?
    {
        errors.add("person", crate::i18n::t("document-person-refused"));
    }
    let file = match form.file {
        Some(file) if errors.is_empty() => file,
        _ => return Err(DocumentError::Invalid(errors)),
    };
    let kind = file.kind;
    // In memory from here to the commit, under the gate's bound.
    let (bytes, _held) = file.load(permit).await?;
    let bytes = super::guard::admit(state, tenant, who, &tx, kind, bytes).await?;
    let id = Uuid::new_v4();
    // The stored name is ours: the client's file name is never read, let alone used.
    let storage_name = format!("{}.{}", Uuid::new_v4(), kind.extension());
    let size = bytes.len() as i64;
    let created_at = repository::insert(
        &tx,
        NewDocument {
            id,
            household_id: who.household_id,
            child_id: checked.person,
            name: &checked.name,
            description: &checked.description,
            content_type: kind.content_type(),
            size,
            storage_name: &storage_name,
            data: bytes,
            uploaded_by: who.guardian_id,
        },
    )
    .await?;
    let fields = ["name", "description", "person", "file"].map(String::from);
    audit::by_guardian(
        &tx,
        who,
        origin,
        "create",
        "document",
        id.to_string(),
        fields.to_vec(),
    )
    .await?;
    let person_name = match checked.person {
        Some(child) => repository::child_name(&tx, child).await?,
        None => None,
    };
    tx.commit().await?;
    tracing::info!(
        tenant.slug = tenant.slug(),
        household.id = %who.household_id,
        document.id = %id,
        document.size = size,
        "document stored"
    );
    Ok(DocumentSummary {
        id,
        child_id: checked.person,
        person_name,
        name: checked.name,
        description: checked.description,
        content_type: kind.content_type().into(),
        size,
        created_at,
    })
}

/// The household's documents, newest first.
pub async fn list(
    state: &AppState,
    tenant: &CurrentTenant,
    household_id: Uuid,
) -> Result<Vec<DocumentSummary>, DocumentError> {
    let tx = tenant.begin(state).await?;
    let documents = repository::for_household(&tx, household_id).await?;
    tx.commit().await?;
    Ok(documents)
}

/// A document's file, if it is the household's; the read is audited.
pub async fn download(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
    id: Uuid,
    origin: &str,
) -> Result<StoredFile, DocumentError> {
    let tx = tenant.begin(state).await?;
    let Some(file) = repository::file(&tx, who.household_id, id).await? else {
        return Err(DocumentError::NotFound);
    };
    audit::download_by_guardian(&tx, who, origin, "document", id).await?;
    tx.commit().await?;
    Ok(file)
}

/// The headers of a download: the detected type, always as an attachment, never sniffed,
/// never cached. The name is the document's, made safe; the file name once sent is unknown.
pub fn download_headers(file: &StoredFile) -> [(&'static str, String); 4] {
    file_headers(&file.name, &file.content_type, Delivery::Attachment)
}

/// How a file goes to the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Saved, never cached: a household's own files.
    Attachment,
    /// Opened in the browser's viewer (to read or print), never stored by a shared cache:
    /// what the municipality publishes.
    Inline,
}

/// The headers of a file named `name` of the stored `content_type`: its detected type, the
/// safe name, never sniffed, and the cache rule of its [`Delivery`].
pub fn file_headers(
    name: &str,
    content_type: &str,
    delivery: Delivery,
) -> [(&'static str, String); 4] {
    let kind = FileKind::from_content_type(content_type).unwrap_or(FileKind::Pdf);
    let disposition = content_disposition(name, kind);
    let (disposition, cache) = match delivery {
        Delivery::Attachment => (disposition, "no-store"),
        Delivery::Inline => (
            format!(
                "inline{}",
                disposition
                    .strip_prefix("attachment")
                    .unwrap_or(&disposition)
            ),
            "private, no-store",
        ),
    };
    [
        ("content-type", kind.content_type().to_string()),
        ("content-disposition", disposition),
        ("x-content-type-options", "nosniff".to_string()),
        ("cache-control", cache.to_string()),
    ]
}

/// A file as a page's answer, with its [`file_headers`].
pub fn file_response(headers: [(&'static str, String); 4], data: Vec<u8>) -> poem::Response {
    let mut builder = poem::Response::builder();
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.body(data)
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII name for old clients,
/// the real one percent-encoded for the others. Neither can hold a quote, a slash, a
/// backslash or a control character, nor start with a dot.
pub fn content_disposition(name: &str, kind: FileKind) -> String {
    let clean = clean_file_name(name);
    let ascii = ascii_file_name(&clean);
    let ext = kind.extension();
    format!(
        "attachment; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{}",
        percent_encode(&format!("{clean}.{ext}"))
    )
}

/// The document name as a file name: characters that mean something to file systems or to
/// the header become `_`, spaces are single, no leading or trailing dot, 120 characters.
pub fn clean_file_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| match c {
            c if c.is_control() => ' ',
            '/' | '\\' | '"' | ':' | '*' | '?' | '<' | '>' | '|' | ';' | '%' => '_',
            c => c,
        })
        .collect();
    let spaced = one_line(&replaced);
    let mut clean: String = spaced
        .trim_matches(|c: char| c == '.' || c == ' ')
        .chars()
        .take(120)
        .collect();
    while clean.contains("..") {
        clean = clean.replace("..", ".");
    }
    let clean = clean
        .trim_matches(|c: char| c == '.' || c == ' ')
        .to_string();
    if clean.is_empty() {
        "document".into()
    } else {
        clean
    }
}

/// Accents folded (é → e), anything else outside printable ASCII as `_`.
fn ascii_file_name(clean: &str) -> String {
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            'a'..='z'
            | 'A'..='Z'
            | '0'..='9'
            | ' '
            | '-'
            | '_'
            | '.'
            | '('
            | ')'
            | ','
            | '\''
            | '+'
            | '&' => out.push(c),
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => out.push('a'),
            'À' | 'Â' | 'Ä' | 'Á' | 'Ã' | 'Å' => out.push('A'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'É' | 'È' | 'Ê' | 'Ë' => out.push('E'),
            'î' | 'ï' | 'í' | 'ì' => out.push('i'),
            'Î' | 'Ï' | 'Í' | 'Ì' => out.push('I'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => out.push('o'),
            'Ô' | 'Ö' | 'Ó' | 'Ò' | 'Õ' => out.push('O'),
            'ù' | 'û' | 'ü' | 'ú' => out.push('u'),
            'Ù' | 'Û' | 'Ü' | 'Ú' => out.push('U'),
            'ç' => out.push('c'),
            'Ç' => out.push('C'),
            'ñ' => out.push('n'),
            'Ñ' => out.push('N'),
            'ÿ' => out.push('y'),
            'œ' => out.push_str("oe"),
            'Œ' => out.push_str("OE"),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("AE"),
            _ => out.push('_'),
        }
    }
    out
}

/// RFC 8187 `value-chars`: attr-char as is, every other byte as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A size as people read it: `850 octets`, `245 Ko`, `1,2 Mo`, `10 Mo`.
pub fn french_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes < KIB {
        crate::i18n::t_args("size-bytes", &[("n", (bytes as i64).into())])
    } else if bytes < MIB {
        crate::i18n::t_args(
            "size-kb",
            &[("n", (((bytes + KIB / 2) / KIB) as i64).into())],
        )
    } else {
        let tenths = (bytes * 10 + MIB / 2) / MIB;
        let whole = ((tenths / 10) as i64).into();
        if tenths.is_multiple_of(10) {
            crate::i18n::t_args("size-mb", &[("n", whole)])
        } else {
            crate::i18n::t_args(
                "size-mb-tenths",
                &[("n", whole), ("tenths", ((tenths % 10) as i64).into())],
            )
        }
    }
}

/// "Mes documents": the household's documents and the children a new one may be for.
pub async fn page(
    state: &AppState,
    tenant: &CurrentTenant,
    household: Uuid,
) -> Result<(Vec<DocumentSummary>, Vec<repository::Child>), DbErr> {
    let tx = tenant.begin(state).await?;
    let documents = repository::for_household(&tx, household).await?;
    let children = repository::children(&tx, household).await?;
    tx.commit().await?;
    Ok((documents, children))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_their_first_bytes_only() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n%..."), Some(FileKind::Pdf));
        assert_eq!(
            FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileKind::Jpeg)
        );
        assert_eq!(
            FileKind::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(FileKind::Png)
        );
        for refused in [
            &b"<!doctype html><title>x</title>"[..],
            b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"<svg onload=alert(1)>",
            b"PK\x03\x04\x14\0\0\0",
            b"  %PDF-1.7",
            b"%PD",
            b"\x89PNG\r\n",
            b"",
        ] {
            assert_eq!(FileKind::sniff(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn a_download_name_is_safe_in_ascii_and_exact_in_utf8() {
        assert_eq!(
            content_disposition("Certificat médical Théo", FileKind::Pdf),
            "attachment; filename=\"Certificat medical Theo.pdf\"; filename*=UTF-8''Certificat%20m%C3%A9dical%20Th%C3%A9o.pdf"
        );
        let traversal = content_disposition("../../etc/passwd", FileKind::Png);
        assert!(
            traversal.starts_with("attachment; filename=\"_._etc_passwd.png\";"),
            "{traversal}"
        );
        let injected = content_disposition("a\r\nSet-Cookie: x=1\"; b", FileKind::Jpeg);
        assert!(!injected.contains('\r') && !injected.contains('\n'));
        assert!(
            injected.starts_with("attachment; filename=\"a Set-Cookie_ x_1__ b.jpg\";"),
            "{injected}"
        );
        assert_eq!(
            content_disposition("...", FileKind::Pdf),
            "attachment; filename=\"document.pdf\"; filename*=UTF-8''document.pdf"
        );
        assert!(
            content_disposition("École 🎒 œuvre", FileKind::Pdf)
                .starts_with("attachment; filename=\"Ecole _ oeuvre.pdf\"")
        );
    }

    #[test]
    fn sizes_read_as_in_french() {
        assert_eq!(french_size(850), "850 octets");
        assert_eq!(french_size(250_000), "244 Ko");
        assert_eq!(french_size(1_258_291), "1,2 Mo");
        assert_eq!(french_size(10 * 1024 * 1024), "10 Mo");
    }

    #[tokio::test]
    async fn every_bad_field_is_named_at_once() {
        let form = Received {
            name: "  \r\n ".into(),
            description: "x".repeat(DESCRIPTION_MAX + 1),
            person: "pas-un-identifiant".into(),
            file: None,
            overlong: vec![],
            library: Default::default(),
        };
        let (_, errors) = check(&form);
        assert_eq!(errors.0.len(), 4, "{errors:?}");
        assert_eq!(errors.0["name"], crate::i18n::t("document-name-required"));
        assert!(errors.0["description"].contains("2000 caractères"));
        let form = Received {
            name: "Attestation\r\nCAF".into(),
            file: Some(
                super::super::upload::ReceivedFile::from_bytes(FileKind::Pdf, b"%PDF-")
                    .await
                    .unwrap(),
            ),
            ..Received::default()
        };
        let (checked, errors) = check(&form);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(checked.name, "Attestation CAF");
        assert_eq!(checked.person, None);
    }
}
