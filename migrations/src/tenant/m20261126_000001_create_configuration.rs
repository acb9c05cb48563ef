use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // `settings` has exactly one row: the municipality's configuration file as written by
        // ops (`source`), as validated (`config`), and the texts of the home page ready to
        // serve, so the page costs one read by key.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE settings (
                    id                  smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
                    name                text NOT NULL,
                    holiday_zone        text NOT NULL CHECK (holiday_zone IN ('A', 'B', 'C')),
                    welcome_title       text NOT NULL,
                    welcome_html        text NOT NULL,
                    reservation_notice  text NOT NULL,
                    contact             jsonb NOT NULL,
                    config              jsonb NOT NULL,
                    source              text NOT NULL,
                    updated_at          timestamptz NOT NULL DEFAULT now()
                );

                CREATE TABLE services (
                    code   text PRIMARY KEY,
                    name   text NOT NULL,
                    email  text NOT NULL
                );

                CREATE TABLE structures (
                    code  text PRIMARY KEY,
                    name  text NOT NULL
                );

                CREATE TABLE prestations (
                    code             text PRIMARY KEY,
                    structure_code   text NOT NULL REFERENCES structures (code),
                    name             text NOT NULL,
                    position         integer NOT NULL,
                    days             text[] NOT NULL,
                    periods          text NOT NULL CHECK (periods IN ('school', 'holidays', 'all')),
                    deadline         jsonb NOT NULL,
                    cancel_deadline  jsonb NOT NULL,
                    capacity         integer CHECK (capacity > 0),
                    price_cents      integer NOT NULL CHECK (price_cents >= 0),
                    tariffs          jsonb NOT NULL DEFAULT '[]',
                    active           boolean NOT NULL DEFAULT true
                );

                CREATE TABLE closures (
                    id         serial PRIMARY KEY,
                    first_day  date NOT NULL,
                    last_day   date NOT NULL CHECK (last_day >= first_day),
                    label      text NOT NULL
                );
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE closures, prestations, structures, services, settings")
            .await?;
        Ok(())
    }
}
