//! The HTTP face of the service: routes, middleware, probes, errors.

pub mod errors;
pub mod health;
pub mod metrics;
pub mod origin;
pub mod page;
pub mod routes;
pub mod security_headers;
pub mod static_files;
