//! Creating, updating, exporting and deleting a municipality.
//!
//! Each operation is one PostgreSQL transaction: DDL is transactional there, so a creation
//! that fails at any step leaves neither a schema nor a registry row behind.

use crate::config::{TenantConfig, render_markdown};
use crate::database::{TenantTx, sql};
use crate::registry::{self, Tenant};
use crate::slug::{SchemaName, Slug, quoted_schema};
use portail_migrations::{MigratorTrait, tenant};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("a municipality with slug \"{0}\" already exists")]
    AlreadyExists(String),
    #[error("no municipality has slug \"{0}\"")]
    NotFound(String),
    #[error("oidc.client_secret_env: must be named {0}… (the municipality's own variables)")]
    SecretVariable(String),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

/// A configuration may only name its own municipality's provider secret.
fn check_secret_variable(slug: &str, config: &TenantConfig) -> Result<(), ProvisionError> {
    match &config.oidc {
        Some(o) if !o.secret_env_allowed(slug) => Err(ProvisionError::SecretVariable(
            crate::config::Oidc::secret_env_prefix(slug),
        )),
        _ => Ok(()),
    }
}

/// Creates the registry row, the schema, its tables and the configuration, all or nothing.
pub async fn create(
    db: &DatabaseConnection,
    slug: &Slug,
    config: &TenantConfig,
    source: &str,
) -> Result<Tenant, ProvisionError> {
    check_secret_variable(slug.as_str(), config)?;
    let schema = slug.schema_name();
    let tx = db.begin().await?;
    let inserted = tx
        .execute_raw(sql(
            "INSERT INTO public.tenants (slug, schema_name, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [slug.as_str().into(), schema.as_str().into(), config.name.clone().into()],
        ))
        .await?;
    if inserted.rows_affected() == 0 {
        return Err(ProvisionError::AlreadyExists(slug.to_string()));
    }
    tx.execute_unprepared(&format!("CREATE SCHEMA {}", quoted_schema(schema.as_str())))
        .await?;
    let tx = TenantTx::within(tx, &schema).await?;
    tenant::Migrator::up(tx.provisioning(), None).await?;
    write_config(&tx, config, source).await?;
    let created = registry::find(tx.provisioning(), slug.as_str())
        .await?
        .expect("the row inserted in this transaction");
    tx.commit().await?;
    Ok(created)
}

/// Replaces the configuration of an existing municipality. Prestations that left the file
/// are kept, inactive, because children's enrolments and bookings refer to them.
pub async fn update(
    db: &DatabaseConnection,
    slug: &str,
    config: &TenantConfig,
    source: &str,
) -> Result<Tenant, ProvisionError> {
    check_secret_variable(slug, config)?;
    let tx = db.begin().await?;
    let locked = tx
        .query_one_raw(sql(
            "SELECT schema_name FROM public.tenants WHERE slug = $1 FOR UPDATE",
            [slug.into()],
        ))
        .await?;
    let Some(row) = locked else {
        return Err(ProvisionError::NotFound(slug.to_string()));
    };
    let schema = SchemaName::from_registry(row.try_get("", "schema_name")?);
    tx.execute_raw(sql(
        "UPDATE public.tenants SET name = $2, config_version = config_version + 1, updated_at = now() WHERE slug = $1",
        [slug.into(), config.name.clone().into()],
    ))
    .await?;
    registry::announce_change(&tx, slug).await?;
    let tx = TenantTx::within(tx, &schema).await?;
    write_config(&tx, config, source).await?;
    let updated = registry::find(tx.provisioning(), slug)
        .await?
        .expect("the row locked above");
    tx.commit().await?;
    Ok(updated)
}

/// Drops the schema with all its data, then the registry row.
pub async fn delete(db: &DatabaseConnection, slug: &str) -> Result<(), ProvisionError> {
    let tx = db.begin().await?;
    let Some(tenant) = registry::find(&tx, slug).await? else {
        return Err(ProvisionError::NotFound(slug.to_string()));
    };
    // The lock `migrate` takes per schema: a migration never runs on a schema being dropped.
    tx.execute_raw(sql(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        [tenant.schema_name.as_str().into()],
    ))
    .await?;
    tx.execute_unprepared(&format!(
        "DROP SCHEMA IF EXISTS {} CASCADE",
        quoted_schema(tenant.schema_name.as_str())
    ))
    .await?;
    tx.execute_raw(sql(
        "DELETE FROM public.tenants WHERE slug = $1",
        [slug.into()],
    ))
    .await?;
    registry::announce_change(&tx, slug).await?;
    tx.commit().await?;
    Ok(())
}

/// Everything stored for a municipality: its registry row and every row of every table of its
/// schema, as one JSON document. Tables are discovered, so later features are exported too.
pub async fn export(db: &DatabaseConnection, slug: &str) -> Result<Value, ProvisionError> {
    let Some(tenant) = registry::find(db, slug).await? else {
        return Err(ProvisionError::NotFound(slug.to_string()));
    };
    let tx = TenantTx::begin(db, &tenant.schema_name).await?;
    let tables = tx
        .query_all_raw(sql(
            "SELECT table_name::text AS name FROM information_schema.tables
             WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
            [tenant.schema_name.as_str().into()],
        ))
        .await?;
    let mut data = serde_json::Map::new();
    for table in tables {
        let name: String = table.try_get("", "name")?;
        // The name comes from the catalogue of this schema; quoting keeps any name literal.
        let row = tx
            .query_one_raw(sql(
                &format!(
                    "SELECT coalesce(json_agg(t), '[]'::json) AS rows FROM \"{}\" t",
                    name.replace('"', "\"\"")
                ),
                [],
            ))
            .await?
            .expect("an aggregate always returns a row");
        let rows: Value = row.try_get("", "rows")?;
        data.insert(name, rows);
    }
    tx.commit().await?;
    Ok(json!({
        "format": "portail-tenant-export/1",
        "tenant": tenant,
        "tables": data,
    }))
}

pub(crate) async fn write_config(
    tx: &TenantTx,
    config: &TenantConfig,
    source: &str,
) -> Result<(), DbErr> {
    let contact = serde_json::to_value(&config.contact).expect("plain data");
    let full = serde_json::to_value(config).expect("plain data");
    tx.execute_raw(sql(
        "INSERT INTO settings (id, name, holiday_zone, welcome_title, welcome_html, reservation_notice, contact, config, source)
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, holiday_zone = EXCLUDED.holiday_zone,
           welcome_title = EXCLUDED.welcome_title, welcome_html = EXCLUDED.welcome_html,
           reservation_notice = EXCLUDED.reservation_notice, contact = EXCLUDED.contact,
           config = EXCLUDED.config, source = EXCLUDED.source, updated_at = now()",
        [
            config.name.clone().into(),
            config.holiday_zone.as_str().into(),
            config.portal.welcome_title.clone().into(),
            render_markdown(&config.portal.welcome_text).into(),
            config.portal.reservation_notice.clone().into(),
            contact.into(),
            full.into(),
            source.into(),
        ],
    ))
    .await?;

    tx.execute_unprepared("DELETE FROM services").await?;
    for s in &config.services {
        tx.execute_raw(sql(
            "INSERT INTO services (code, name, email) VALUES ($1, $2, $3)",
            [
                s.code.clone().into(),
                s.name.clone().into(),
                s.email.clone().into(),
            ],
        ))
        .await?;
    }

    for s in &config.structures {
        tx.execute_raw(sql(
            "INSERT INTO structures (code, name) VALUES ($1, $2)
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name",
            [s.code.clone().into(), s.name.clone().into()],
        ))
        .await?;
    }

    tx.execute_unprepared("UPDATE prestations SET active = false")
        .await?;
    for (position, p) in config.prestations.iter().enumerate() {
        let days: Vec<String> = p.days.iter().map(|d| d.as_str().to_string()).collect();
        tx.execute_raw(sql(
            "INSERT INTO prestations (code, structure_code, name, position, days, periods, deadline, cancel_deadline, capacity, price_cents, tariffs, active)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, true)
             ON CONFLICT (code) DO UPDATE SET structure_code = EXCLUDED.structure_code, name = EXCLUDED.name,
               position = EXCLUDED.position, days = EXCLUDED.days, periods = EXCLUDED.periods,
               deadline = EXCLUDED.deadline, cancel_deadline = EXCLUDED.cancel_deadline,
               capacity = EXCLUDED.capacity, price_cents = EXCLUDED.price_cents,
               tariffs = EXCLUDED.tariffs, active = true",
            [
                p.code.clone().into(),
                p.structure.clone().into(),
                p.name.clone().into(),
                (position as i32).into(),
                days.into(),
                p.periods.as_str().into(),
                serde_json::to_value(&p.deadline).expect("plain data").into(),
                serde_json::to_value(p.cancel_deadline()).expect("plain data").into(),
                p.capacity.map(|c| c as i32).into(),
                (p.price_cents as i32).into(),
                serde_json::to_value(&p.tariffs).expect("plain data").into(),
            ],
        ))
        .await?;
    }
    // Structures that left the file go, unless an (inactive) prestation still refers to them.
    let codes: Vec<String> = config.structures.iter().map(|s| s.code.clone()).collect();
    tx.execute_raw(sql(
        "DELETE FROM structures s WHERE NOT (s.code = ANY($1))
           AND NOT EXISTS (SELECT 1 FROM prestations p WHERE p.structure_code = s.code)",
        [codes.into()],
    ))
    .await?;

    tx.execute_unprepared("DELETE FROM closures").await?;
    for c in &config.closures {
        tx.execute_raw(sql(
            "INSERT INTO closures (first_day, last_day, label) VALUES ($1, $2, $3)",
            [c.from.into(), c.to.into(), c.label.clone().into()],
        ))
        .await?;
    }
    Ok(())
}
