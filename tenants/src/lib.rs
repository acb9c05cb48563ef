//! The tenant-config layer of Portail Famille: the registry of municipalities, their
//! configuration files, provisioning (create, migrate, suspend, export, delete, import of
//! families), the tenant transaction every tenant query runs in, and the pure calendar rules
//! of booking (school and public holidays, deadlines, ISO weeks).

pub mod batch;
pub mod calendar;
pub mod config;
pub mod configuration;
pub mod database;
pub mod i18n;
pub mod import;
pub mod migrate;
pub mod provisioning;
pub mod registry;
pub mod school_calendar;
pub mod slug;
pub mod values;

pub use config::TenantConfig;
pub use database::{TenantPool, TenantTx};
pub use registry::{Tenant, TenantStatus};
pub use slug::{SchemaName, Slug};
