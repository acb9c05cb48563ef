use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A guardian with an e-mail is an account; the password hash (Argon2id, PHC string) is
        // kept apart from the guardian's record so exports and reads of the family file never
        // carry it. Tokens are stored hashed: the link in the mail is the only copy.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE credentials (
                    guardian_id          uuid PRIMARY KEY REFERENCES guardians (id) ON DELETE CASCADE,
                    password_hash        text NOT NULL,
                    password_changed_at  timestamptz NOT NULL
                );

                CREATE TABLE password_tokens (
                    token_hash   text PRIMARY KEY,
                    guardian_id  uuid NOT NULL REFERENCES guardians (id) ON DELETE CASCADE,
                    created_at   timestamptz NOT NULL,
                    expires_at   timestamptz NOT NULL,
                    used_at      timestamptz
                );
                CREATE INDEX password_tokens_guardian_idx ON password_tokens (guardian_id);

                CREATE TABLE oidc_identities (
                    issuer       text NOT NULL,
                    subject      text NOT NULL,
                    guardian_id  uuid NOT NULL REFERENCES guardians (id) ON DELETE CASCADE,
                    linked_at    timestamptz NOT NULL,
                    PRIMARY KEY (issuer, subject)
                );
                CREATE INDEX oidc_identities_guardian_idx ON oidc_identities (guardian_id);

                CREATE TABLE outbox (
                    id               bigserial PRIMARY KEY,
                    to_address       text NOT NULL,
                    subject          text NOT NULL,
                    text_body        text NOT NULL,
                    html_body        text NOT NULL,
                    created_at       timestamptz NOT NULL DEFAULT now(),
                    attempts         integer NOT NULL DEFAULT 0,
                    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
                    sent_at          timestamptz,
                    last_error       text
                );
                CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL;
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE outbox, oidc_identities, password_tokens, credentials")
            .await?;
        Ok(())
    }
}
