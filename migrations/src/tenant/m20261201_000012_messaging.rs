use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Messaging between a household and a service of the municipality (guide, section 7).
        // `service_code` is a code of the configuration's `[[services]]`: no foreign key, since
        // the services table is rewritten at each configuration change and a conversation
        // outlives a renamed service. Read marks: one per guardian (both guardians of the
        // household read the same conversations), and one for the service's staff
        // (`staff_read_at`), shared by the agents of the service.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE conversations (
                    id               uuid PRIMARY KEY,
                    household_id     uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
                    service_code     text NOT NULL,
                    subject          text NOT NULL,
                    started_by       uuid REFERENCES guardians (id) ON DELETE SET NULL,
                    assigned_to      uuid REFERENCES staff (id) ON DELETE SET NULL,
                    closed_at        timestamptz,
                    staff_read_at    timestamptz,
                    created_at       timestamptz NOT NULL,
                    last_message_at  timestamptz NOT NULL
                );
                CREATE INDEX conversations_household_idx ON conversations (household_id, last_message_at DESC);
                CREATE INDEX conversations_service_idx ON conversations (service_code, last_message_at DESC);

                CREATE TABLE messages (
                    id               uuid PRIMARY KEY,
                    -- The order of writing, when two messages share an instant.
                    seq              bigserial NOT NULL,
                    conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
                    from_staff       boolean NOT NULL,
                    guardian_id      uuid REFERENCES guardians (id) ON DELETE SET NULL,
                    staff_id         uuid REFERENCES staff (id) ON DELETE SET NULL,
                    body_html        text NOT NULL,
                    sent_at          timestamptz NOT NULL
                );
                CREATE INDEX messages_conversation_idx ON messages (conversation_id, sent_at, seq);

                CREATE TABLE conversation_reads (
                    conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
                    guardian_id      uuid NOT NULL REFERENCES guardians (id) ON DELETE CASCADE,
                    read_at          timestamptz NOT NULL,
                    PRIMARY KEY (conversation_id, guardian_id)
                );

                -- "Mon compte": the guardian may stop the mail sent when a service answers.
                ALTER TABLE guardians ADD COLUMN message_mail boolean NOT NULL DEFAULT true;
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP TABLE conversation_reads, messages, conversations;
                 ALTER TABLE guardians DROP COLUMN message_mail",
            )
            .await?;
        Ok(())
    }
}
