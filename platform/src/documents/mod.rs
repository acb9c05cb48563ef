//! Documents parents send for their household or one of its children (guide, sections 3.2
//! and 6): "Mes documents" and its JSON API.
//!
//! Invariants:
//! - an upload is read field by field and counted as it arrives; neither the body nor the file
//!   is ever held beyond `MAX_UPLOAD_BYTES` (plus a small margin for the text fields);
//! - only PDF, JPEG and PNG are accepted, recognised by their first bytes; the client's file
//!   name and declared type are never used, and the stored name is generated;
//! - a document is reached only with the signed-in guardian's household: another
//!   household's, or another municipality's with the same id, is not found;
//! - files go back as attachments of their detected type, with `nosniff` and `no-store`,
//!   never inline;
//! - each upload and download is in the audit log, in the same transaction, without values.

pub mod antivirus;
pub mod api;
pub mod gate;
pub mod guard;
pub mod hostile;
pub mod intake;
pub mod pages;
pub mod repository;
pub mod service;
pub mod upload;

pub use repository::{DocumentSummary, for_child, for_household};
