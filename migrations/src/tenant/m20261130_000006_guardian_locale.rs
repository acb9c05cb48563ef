use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The guardian's saved language; NULL until they choose one (then the `lang` cookie
        // and `Accept-Language` decide).
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE guardians ADD COLUMN locale text CHECK (locale IN ('fr', 'en'))",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE guardians DROP COLUMN locale")
            .await?;
        Ok(())
    }
}
