use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The quotient familial's proof, when staff keep one: a document the family sent.
        // Deleting the document leaves the quotient without its proof, never without itself.
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE households ADD COLUMN quotient_document_id uuid
                    REFERENCES documents (id) ON DELETE SET NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE households DROP COLUMN quotient_document_id")
            .await?;
        Ok(())
    }
}
