use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The school calendar imported with `portail calendar import`, shared by every
        // municipality. Empty: the calendar shipped in the binary is in force.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE public.school_calendar (
                    zone          text PRIMARY KEY CHECK (zone IN ('A', 'B', 'C')),
                    covered_from  date NOT NULL,
                    covered_until date NOT NULL CHECK (covered_from <= covered_until),
                    source        text NOT NULL,
                    imported_at   timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE public.school_holidays (
                    zone      text NOT NULL REFERENCES public.school_calendar (zone) ON DELETE CASCADE,
                    name      text NOT NULL CHECK (name <> ''),
                    first_day date NOT NULL,
                    resume    date CHECK (resume IS NULL OR resume > first_day),
                    PRIMARY KEY (zone, first_day)
                );
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP TABLE public.school_holidays; DROP TABLE public.school_calendar",
            )
            .await?;
        Ok(())
    }
}
