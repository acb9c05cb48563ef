use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The documents the municipality publishes (menus, activities…). The rubrique is a
        // code of the configuration's `[[rubriques]]`, not a foreign key: a rubrique removed
        // from the configuration hides its documents without losing them. A withdrawn or
        // replaced document keeps its row (`withdrawn_at`) for the audit log's sake.
        // `library_reads` holds which guardian opened which document: the "new" counts.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE library_documents (
                    id              uuid PRIMARY KEY,
                    rubrique        text NOT NULL,
                    name            text NOT NULL,
                    audience_kind   text NOT NULL CHECK (audience_kind IN ('all', 'structure', 'school')),
                    audience_value  text NOT NULL DEFAULT '',
                    published_on    date NOT NULL,
                    until           date CHECK (until IS NULL OR until >= published_on),
                    content_type    text NOT NULL,
                    size            integer NOT NULL CHECK (size > 0),
                    data            bytea NOT NULL,
                    published_by    uuid REFERENCES staff (id) ON DELETE SET NULL,
                    replaces        uuid REFERENCES library_documents (id) ON DELETE SET NULL,
                    withdrawn_at    timestamptz,
                    created_at      timestamptz NOT NULL
                );
                CREATE INDEX library_documents_live_idx ON library_documents (published_on)
                    WHERE withdrawn_at IS NULL;

                CREATE TABLE library_reads (
                    guardian_id  uuid NOT NULL REFERENCES guardians (id) ON DELETE CASCADE,
                    document_id  uuid NOT NULL REFERENCES library_documents (id) ON DELETE CASCADE,
                    read_at      timestamptz NOT NULL,
                    PRIMARY KEY (guardian_id, document_id)
                );
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE library_reads, library_documents")
            .await?;
        Ok(())
    }
}
