//! Messaging between families and the municipality's services (guide, section 7):
//! "Messagerie" for parents, an inbox per service for staff, and their JSON API.
//!
//! Invariants:
//! - a conversation belongs to one household and one service of the configuration's
//!   `[[services]]`; every parent query names the signed-in guardian's household, so another
//!   household's conversation (or another municipality's with the same id) is not found;
//! - a message body is HTML sanitised on the server to `<b> <strong> <i> <em> <u> <p> <br>`
//!   without any attribute ([`sanitize`]); a body typed without JavaScript is plain text,
//!   escaped and kept with its line breaks;
//! - a message may carry files (PDF, JPEG, PNG), under the families' documents rules
//!   ([`attachments`]); each staff read of a conversation or of one of its files is audited;
//! - unread counts come from read marks: one per guardian, and one for the service's staff;
//! - mail goes through the outbox in the transaction of the message: to the service for each
//!   family message (without its content when the service says `mail_content = false`), and
//!   to each guardian of the household who did not opt out when a service answers.

pub mod api;
pub mod attachments;
pub mod files_api;
pub mod pages;
pub mod repository;
pub mod sanitize;
pub mod service;
pub mod staff_api;
pub mod staff_pages;

pub use repository::{UnreadCount, unread_for_guardian, unread_query};
pub use service::MessagingError;
