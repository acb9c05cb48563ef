//! Reading an upload: a `multipart/form-data` body, field by field, with every byte counted as
//! it arrives.
//!
//! Two bounds hold whatever the client claims. The body as a whole is cut off at the file
//! limit plus [`MARGIN`] (room for the text fields and the part headers): past that, the
//! stream handed to the multipart parser fails, so neither the parser (which otherwise pulls
//! every chunk that is ready into its buffer) nor this code ever holds more. And the file
//! itself may not exceed the limit. `Content-Length` is only a shortcut for honest clients
//! announcing too much; a small or absent one (chunked encoding) changes nothing.
//!
//! The file itself never sits in memory while it arrives: it is written, chunk by chunk, to an
//! anonymous temporary file (unlinked from the start, so nothing is left behind whatever
//! happens to the process), and loaded only to be checked and stored, under the
//! [`UploadGate`](super::gate::UploadGate)'s bound.
//!
//! The type of the file is decided by its first bytes (see [`FileKind::sniff`]), never by
//! its name or its declared type, and as soon as those bytes are in: a refused file is not
//! read further. The file name the client sends is never read by [`read`]; [`read_form`]
//! (a message's attachments) keeps it only as a label, cleaned before anyone sees it.

use super::gate::{HeldFile, Holder, UploadPermit};
use futures::StreamExt;
use poem::web::Multipart;
use poem::{Body, FromRequest, Request, RequestBody};
use std::io::SeekFrom;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// Room for the text fields, the CSRF token and the part headers, on top of the file limit.
pub const MARGIN: u64 = 64 * 1024;
/// The most a text field may carry, in bytes; beyond, the rest is skipped and the field is
/// refused as too long (the longest, `description`, allows 2000 characters).
const TEXT_FIELD_BYTES: usize = 16 * 1024;
/// More parts than this is not a form of ours.
const MAX_PARTS: usize = 16;

/// What the form carried. Text fields are kept as sent (lossy UTF-8); checks are the
/// service's.
#[derive(Debug, Default)]
pub struct Received {
    pub name: String,
    pub description: String,
    pub person: String,
    pub file: Option<ReceivedFile>,
    /// Text fields longer than [`TEXT_FIELD_BYTES`], cut short.
    pub overlong: Vec<&'static str>,
    /// The fields of a publication in the municipality's library ([`LIBRARY_FIELDS`]),
    /// by name; other forms ignore them.
    pub library: std::collections::BTreeMap<&'static str, String>,
}

/// The text fields a library publication adds to an upload.
pub const LIBRARY_FIELDS: [&str; 5] = ["rubrique", "audience", "published_on", "until", "replaces"];

impl Received {
    /// The text fields alone, to show the form again without keeping the file twice.
    pub fn without_file(&self) -> Received {
        Received {
            name: self.name.clone(),
            description: self.description.clone(),
            person: self.person.clone(),
            file: None,
            overlong: self.overlong.clone(),
            library: self.library.clone(),
        }
    }
}

/// A file received, waiting on disk until it is loaded to be stored.
#[derive(Debug)]
pub struct ReceivedFile {
    pub kind: FileKind,
    /// In bytes.
    pub len: u64,
    spool: tokio::fs::File,
}

impl ReceivedFile {
    /// A file from bytes already in memory (tests, files made by the portal itself).
    pub async fn from_bytes(kind: FileKind, bytes: &[u8]) -> std::io::Result<Self> {
        let mut spool = tokio::fs::File::from_std(tempfile::tempfile()?);
        spool.write_all(bytes).await?;
        Ok(ReceivedFile {
            kind,
            len: bytes.len() as u64,
            spool,
        })
    }

    /// The whole file in memory, to be checked and stored, once the gate has a place for it:
    /// keep the [`HeldFile`] as long as the bytes (or copies of them) are alive.
    pub async fn load(self, permit: &UploadPermit) -> std::io::Result<(Vec<u8>, HeldFile)> {
        let held = permit.hold().await;
        self.load_held(held).await
    }

    /// [`load`](Self::load) for a file that came with its [`Holder`].
    pub async fn load_with(self, holder: &Holder) -> std::io::Result<(Vec<u8>, HeldFile)> {
        let held = holder.hold().await;
        self.load_held(held).await
    }

    async fn load_held(mut self, held: HeldFile) -> std::io::Result<(Vec<u8>, HeldFile)> {
        self.spool.seek(SeekFrom::Start(0)).await?;
        let mut bytes = Vec::with_capacity(self.len as usize);
        (&mut self.spool)
            .take(self.len)
            .read_to_end(&mut bytes)
            .await?;
        Ok((bytes, held))
    }
}

/// Why reading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// The file or the body passed its limit.
    TooLarge,
    /// The file is not a PDF, a JPEG or a PNG.
    UnsupportedType,
    /// Not a multipart body, or one cut short.
    Malformed,
    /// A page form whose first field is not the right CSRF token.
    Csrf,
    /// The temporary file could not be written.
    Spool,
}

/// For page forms: the check of the `csrf` field, which must come before any other.
pub type CsrfCheck<'a> = &'a (dyn Fn(&str) -> bool + Sync);

/// Reads the form. On failure the fields read so far come back too, so a page can show the
/// form again as it was typed. The permit proves the upload was let in by the gate.
pub async fn read(
    req: &Request,
    body: Body,
    max_file: u64,
    csrf: Option<CsrfCheck<'_>>,
    _permit: &UploadPermit,
) -> (Received, Result<(), ReadError>) {
    let mut received = Received::default();
    let result = read_into(&mut received, req, body, max_file, csrf).await;
    (received, result)
}

async fn read_into(
    received: &mut Received,
    req: &Request,
    body: Body,
    max_file: u64,
    mut csrf: Option<CsrfCheck<'_>>,
) -> Result<(), ReadError> {
    let (mut multipart, cut) = open(req, body, max_file + MARGIN).await?;
    let mut parts = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Err(cut.failure()),
        };
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ReadError::Malformed);
        }
        let name = field.name().unwrap_or_default().to_string();
        if let Some(check) = csrf.take() {
            // The token is checked before anything else of the form is read.
            first_field_is_token(field, &name, check, &cut).await?;
            continue;
        }
        let text_field: Option<(&'static str, &mut String)> = match name.as_str() {
            "name" => Some(("name", &mut received.name)),
            "description" => Some(("description", &mut received.description)),
            "person" => Some(("person", &mut received.person)),
            _ => None,
        };
        let library_field = LIBRARY_FIELDS.iter().find(|f| **f == name).copied();
        if let Some(key) = library_field {
            let (text, overlong) = read_text(field, 1024).await.map_err(|_| cut.failure())?;
            received.library.insert(key, text);
            if overlong {
                received.overlong.push(key);
            }
        } else if let Some((key, slot)) = text_field {
            let (text, overlong) = read_text(field, TEXT_FIELD_BYTES)
                .await
                .map_err(|_| cut.failure())?;
            *slot = text;
            if overlong {
                received.overlong.push(key);
            }
        } else if name == "file" && received.file.is_none() {
            received.file = read_file(field, max_file)
                .await
                .map_err(|e| e.unwrap_or_else(|| cut.failure()))?;
        } else {
            // Unknown parts and a second file are read past, never kept.
            skip(field).await.map_err(|_| cut.failure())?;
        }
    }
    csrf_read(csrf)
}

/// A file of a form that may carry several (a message's attachments), with the name the
/// client gave it: shown to people once cleaned, never used to store the file or to type it.
#[derive(Debug)]
pub struct NamedFile {
    pub file: ReceivedFile,
    pub client_name: String,
    /// The upload's place in memory, to load the file under the gate's bound.
    pub holder: Holder,
}

/// What a form of text fields and files carried ([`read_form`]).
#[derive(Debug, Default)]
pub struct FormFields {
    /// The text fields asked for, as sent (lossy UTF-8), cut at their limit.
    pub texts: std::collections::BTreeMap<&'static str, String>,
    /// Every non-empty part named `file`, in order.
    pub files: Vec<NamedFile>,
}

/// Reads a form of `texts` (each name with its byte limit: a longer value is cut there, so a
/// check on its length still refuses it) and of any number of parts named `file`, all files
/// together at most `max_files_bytes` (the body at most that plus [`MARGIN`]). Each file is
/// typed by its first bytes as in [`read`]; an empty part (no file chosen) is none.
pub async fn read_form(
    req: &Request,
    body: Body,
    texts: &[(&'static str, usize)],
    max_files_bytes: u64,
    csrf: Option<CsrfCheck<'_>>,
    permit: UploadPermit,
) -> (FormFields, Result<(), ReadError>) {
    let mut received = FormFields::default();
    let holder = Holder::new(permit);
    let result = read_form_into(
        &mut received,
        req,
        body,
        texts,
        max_files_bytes,
        csrf,
        &holder,
    )
    .await;
    (received, result)
}

async fn read_form_into(
    received: &mut FormFields,
    req: &Request,
    body: Body,
    texts: &[(&'static str, usize)],
    max_files_bytes: u64,
    mut csrf: Option<CsrfCheck<'_>>,
    holder: &Holder,
) -> Result<(), ReadError> {
    let (mut multipart, cut) = open(req, body, max_files_bytes + MARGIN).await?;
    let mut left = max_files_bytes;
    for _ in 0..MAX_PARTS {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return csrf_read(csrf),
            Err(_) => return Err(cut.failure()),
        };
        let name = field.name().unwrap_or_default().to_string();
        if let Some(check) = csrf.take() {
            first_field_is_token(field, &name, check, &cut).await?;
            continue;
        }
        if let Some((key, max)) = texts.iter().find(|(key, _)| *key == name) {
            let (text, _) = read_text(field, *max).await.map_err(|_| cut.failure())?;
            received.texts.insert(key, text);
        } else if name == "file" {
            // The name is only a label; the path some browsers send is dropped.
            let client_name = field
                .file_name()
                .unwrap_or_default()
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or_default()
                .to_string();
            let file = read_file(field, left)
                .await
                .map_err(|e| e.unwrap_or_else(|| cut.failure()))?;
            if let Some(file) = file {
                left -= file.len;
                received.files.push(NamedFile {
                    file,
                    client_name,
                    holder: holder.clone(),
                });
            }
        } else {
            skip(field).await.map_err(|_| cut.failure())?;
        }
    }
    Err(ReadError::Malformed)
}

/// Checks that the first field is the CSRF token and that it passes.
async fn first_field_is_token(
    field: poem::web::Field,
    name: &str,
    check: CsrfCheck<'_>,
    cut: &Cut,
) -> Result<(), ReadError> {
    if name != "csrf" {
        return Err(ReadError::Csrf);
    }
    let (token, _) = read_text(field, 256).await.map_err(|_| cut.failure())?;
    if check(&token) {
        Ok(())
    } else {
        Err(ReadError::Csrf)
    }
}

/// The end of a form: a check still pending means the token never came (an empty body).
fn csrf_read(pending: Option<CsrfCheck<'_>>) -> Result<(), ReadError> {
    match pending {
        None => Ok(()),
        Some(_) => Err(ReadError::Csrf),
    }
}

/// The multipart reader of a body cut off at `cap` bytes (an announced larger body is
/// refused before a byte is read), and the flag telling that cut from a client that hung up.
async fn open(req: &Request, body: Body, cap: u64) -> Result<(Multipart, Cut), ReadError> {
    let announced = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > cap) {
        return Err(ReadError::TooLarge);
    }
    let (body, tripped) = limited(body, cap);
    let multipart = Multipart::from_request(req, &mut RequestBody::new(body))
        .await
        .map_err(|_| ReadError::Malformed)?;
    Ok((multipart, Cut(tripped)))
}

/// Set once [`limited`] has cut the body: a failed read is then ours (too large), else the
/// client's (malformed or hung up).
struct Cut(Arc<AtomicBool>);

impl Cut {
    fn failure(&self) -> ReadError {
        if self.0.load(Ordering::SeqCst) {
            ReadError::TooLarge
        } else {
            ReadError::Malformed
        }
    }
}

/// The body, failing once more than `cap` bytes have come in. The flag tells a failure of
/// ours from a client that hung up.
fn limited(body: Body, cap: u64) -> (Body, Arc<AtomicBool>) {
    let tripped = Arc::new(AtomicBool::new(false));
    let flag = tripped.clone();
    let mut seen: u64 = 0;
    let mut over = false;
    let stream = body.into_bytes_stream().map(move |chunk| {
        if over {
            return Err(std::io::Error::other("upload too large"));
        }
        if let Ok(bytes) = &chunk {
            seen += bytes.len() as u64;
            if seen > cap {
                over = true;
                flag.store(true, Ordering::SeqCst);
                return Err(std::io::Error::other("upload too large"));
            }
        }
        chunk
    });
    (Body::from_bytes_stream(stream), tripped)
}

/// Reads a text part, keeping at most `max` bytes (the rest is read and dropped).
async fn read_text(field: poem::web::Field, max: usize) -> Result<(String, bool), std::io::Error> {
    let mut reader = std::pin::pin!(field.into_async_read());
    let mut kept = Vec::new();
    let mut overlong = false;
    let mut buf = [0u8; 4096];
    loop {
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        if kept.len() + n > max {
            overlong = true;
            let room = max.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..room]);
        } else {
            kept.extend_from_slice(&buf[..n]);
        }
    }
    Ok((String::from_utf8_lossy(&kept).into_owned(), overlong))
}

/// Reads the file part into a temporary file. `Err(None)` is a read failure (the caller
/// tells which); an empty part (a browser sends one when no file was chosen) is no file.
async fn read_file(
    field: poem::web::Field,
    max: u64,
) -> Result<Option<ReceivedFile>, Option<ReadError>> {
    let mut reader = std::pin::pin!(field.into_async_read());
    let mut spool: Option<tokio::fs::File> = None;
    let mut head: Vec<u8> = Vec::with_capacity(FileKind::SNIFF_LEN);
    let mut len: u64 = 0;
    let mut kind = None;
    let mut buf = vec![0u8; 64 * 1024];
    let spool_failed = |e: std::io::Error| {
        tracing::error!(error = %e, "upload: the temporary file cannot be written");
        Some(ReadError::Spool)
    };
    loop {
        let n = reader.read(&mut buf).await.map_err(|_| None)?;
        if n == 0 {
            break;
        }
        if len + n as u64 > max {
            return Err(Some(ReadError::TooLarge));
        }
        len += n as u64;
        if head.len() < FileKind::SNIFF_LEN {
            let room = FileKind::SNIFF_LEN - head.len();
            head.extend_from_slice(&buf[..n.min(room)]);
            if head.len() == FileKind::SNIFF_LEN {
                kind = Some(FileKind::sniff(&head).ok_or(Some(ReadError::UnsupportedType))?);
            }
        }
        let file = match &mut spool {
            Some(file) => file,
            None => spool.insert(tokio::fs::File::from_std(
                tempfile::tempfile().map_err(spool_failed)?,
            )),
        };
        file.write_all(&buf[..n]).await.map_err(spool_failed)?;
    }
    let Some(mut spool) = spool else {
        return Ok(None);
    };
    spool.flush().await.map_err(spool_failed)?;
    let kind = match kind {
        Some(kind) => kind,
        None => FileKind::sniff(&head).ok_or(Some(ReadError::UnsupportedType))?,
    };
    Ok(Some(ReceivedFile { kind, len, spool }))
}

async fn skip(field: poem::web::Field) -> Result<(), std::io::Error> {
    let mut reader = std::pin::pin!(field.into_async_read());
    let mut buf = [0u8; 8192];
    while reader.read(&mut buf).await? > 0 {}
    Ok(())
}

/// The file types parents may send, recognised by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    /// Bytes needed to recognise every kind.
    pub const SNIFF_LEN: usize = 8;

    /// `%PDF-`, `FF D8 FF`, or the PNG signature. An HTML page renamed `.pdf`, an SVG or a
    /// zip is none of them, whatever the name or the declared type say.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if head.starts_with(&[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(FileKind::Png)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    pub fn from_content_type(content_type: &str) -> Option<Self> {
        match content_type {
            "application/pdf" => Some(FileKind::Pdf),
            "image/jpeg" => Some(FileKind::Jpeg),
            "image/png" => Some(FileKind::Png),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }

    /// How the list names the type.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Jpeg => "Image JPEG",
            FileKind::Png => "Image PNG",
        }
    }

    /// The catalogue key of its name, for pages.
    pub fn label_key(self) -> &'static str {
        match self {
            FileKind::Pdf => "document-kind-pdf",
            FileKind::Jpeg => "document-kind-jpeg",
            FileKind::Png => "document-kind-png",
        }
    }
}
