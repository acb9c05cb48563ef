use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Municipal staff of this tenant only: an account here is unknown in every other
        // schema. The TOTP secret is needed in clear to check codes; `totp_last_step` makes a
        // code work once. Recovery codes and activation tokens are kept as SHA-256 only.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE staff (
                    id              uuid PRIMARY KEY,
                    email           text NOT NULL,
                    name            text NOT NULL,
                    role            text NOT NULL CHECK (role IN ('accueil', 'gestionnaire', 'regisseur', 'admin')),
                    password_hash   text,
                    totp_secret     text,
                    totp_last_step  bigint,
                    activated_at    timestamptz,
                    disabled_at     timestamptz,
                    invited_by      uuid REFERENCES staff (id) ON DELETE SET NULL,
                    created_at      timestamptz NOT NULL DEFAULT now()
                );
                CREATE UNIQUE INDEX staff_email_key ON staff (lower(email));

                CREATE TABLE staff_tokens (
                    token_hash  text PRIMARY KEY,
                    staff_id    uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
                    created_at  timestamptz NOT NULL,
                    expires_at  timestamptz NOT NULL,
                    used_at     timestamptz
                );
                CREATE INDEX staff_tokens_staff_idx ON staff_tokens (staff_id);

                CREATE TABLE staff_recovery_codes (
                    staff_id   uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
                    code_hash  text NOT NULL,
                    used_at    timestamptz,
                    PRIMARY KEY (staff_id, code_hash)
                );

                ALTER TABLE households ADD COLUMN quotient_valid_from date;
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP TABLE staff_recovery_codes, staff_tokens, staff;
                 ALTER TABLE households DROP COLUMN quotient_valid_from",
            )
            .await?;
        Ok(())
    }
}
