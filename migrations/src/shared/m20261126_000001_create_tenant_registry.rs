use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The schema name is derived from the slug, but stored so that a lookup never
        // recomputes it differently after a rule change.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE public.tenants (
                    slug           text PRIMARY KEY CHECK (slug ~ '^[a-z][a-z0-9-]{1,38}[a-z0-9]$'),
                    schema_name    text NOT NULL UNIQUE CHECK (schema_name ~ '^t_[a-z][a-z0-9_]{1,39}$'),
                    name           text NOT NULL,
                    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
                    config_version integer NOT NULL DEFAULT 1,
                    created_at     timestamptz NOT NULL DEFAULT now(),
                    updated_at     timestamptz NOT NULL DEFAULT now()
                );
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE public.tenants")
            .await?;
        Ok(())
    }
}
