use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Files attached to a message ("pièces jointes"): the same kinds as the families'
        // documents (PDF, JPEG, PNG, recognised by their content and cleaned), stored with
        // the message. `name` is the name shown, without its extension (the detected type
        // gives it); `conversation_id` lets a read name the conversation, and through it the
        // household, without a join on messages.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE message_attachments (
                    id               uuid PRIMARY KEY,
                    message_id       uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
                    conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
                    position         smallint NOT NULL,
                    name             text NOT NULL,
                    content_type     text NOT NULL,
                    size             integer NOT NULL,
                    data             bytea NOT NULL,
                    created_at       timestamptz NOT NULL
                );
                CREATE INDEX message_attachments_conversation_idx
                    ON message_attachments (conversation_id, message_id, position);
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE message_attachments")
            .await?;
        Ok(())
    }
}
