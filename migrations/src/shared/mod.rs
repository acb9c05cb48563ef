//! Migrations of the `public` schema: the tenant registry and the imported school calendar.

use sea_orm_migration::prelude::*;

mod m20261126_000001_create_tenant_registry;
mod m20261130_000002_create_school_calendar;

/// The migrator of the shared (`public`) schema.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_tenant_registry::Migration),
            Box::new(m20261130_000002_create_school_calendar::Migration),
        ]
    }
}
