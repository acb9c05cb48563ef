//! Migrations of one tenant schema. Table names are never qualified: the caller sets the
//! transaction's `search_path` to the tenant schema alone.

use sea_orm_migration::prelude::*;

mod m20261126_000001_create_configuration;
mod m20261126_000002_create_families;
mod m20261126_000003_create_accounts;
mod m20261126_000004_create_family_records;
mod m20261126_000005_create_reservations;
mod m20261130_000006_guardian_locale;
mod m20261130_000007_staff;
mod m20261201_000008_staff_records;
mod m20261201_000009_billing;
mod m20261201_000010_payments;
mod m20261201_000011_library;
mod m20261201_000012_messaging;
mod m20261202_000013_cart;
mod m20261202_000014_message_attachments;

/// The migrator of a tenant schema.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_configuration::Migration),
            Box::new(m20261126_000002_create_families::Migration),
            Box::new(m20261126_000003_create_accounts::Migration),
            Box::new(m20261126_000004_create_family_records::Migration),
            Box::new(m20261126_000005_create_reservations::Migration),
            Box::new(m20261130_000006_guardian_locale::Migration),
            Box::new(m20261130_000007_staff::Migration),
            Box::new(m20261201_000009_billing::Migration),
            Box::new(m20261201_000010_payments::Migration),
            Box::new(m20261201_000012_messaging::Migration),
            Box::new(m20261201_000011_library::Migration),
            Box::new(m20261201_000008_staff_records::Migration),
            Box::new(m20261202_000014_message_attachments::Migration),
            Box::new(m20261202_000013_cart::Migration),
        ]
    }
}
