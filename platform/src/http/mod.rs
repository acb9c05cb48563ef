//! The HTTP face of the service: routes, middleware, probes, errors.

pub mod around;
pub mod client_ip;
pub mod errors;
pub mod form_errors;
pub mod hardening;
pub mod health;
pub mod info_query;
pub mod metrics;
pub mod origin;
pub mod page;
pub mod panics;
pub mod refusals;
pub mod routes;
pub mod security_headers;
pub mod serde_json_body;
pub mod spec;
pub mod static_files;
pub mod tenant_api;
pub mod tenant_tx;
pub mod url;
