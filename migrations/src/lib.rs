//! Database migrations of Portail Famille.
//!
//! Two migrators, never mixed:
//! - [`shared::Migrator`] creates the registry of municipalities in the `public` schema;
//! - [`tenant::Migrator`] creates the tables inside one tenant schema. It must run on a
//!   connection or transaction whose `search_path` is that schema alone, so each schema keeps
//!   its own `seaql_migrations` table and an unqualified name can never reach `public`.
//!
//! Migrations are plain SQL: one file per migration, named after its date and purpose.

pub mod shared;
pub mod tenant;

pub use sea_orm_migration::MigratorTrait;
