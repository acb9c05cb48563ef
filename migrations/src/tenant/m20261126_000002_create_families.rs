use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // `reference` is the household's identifier in the software the municipality leaves;
        // re-importing its export matches rows by it, and children by their names within the
        // household (`import_key`). Ids are random, never derived from names. E-mail identifies a guardian within the
        // tenant, whatever its case.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE households (
                    id                 uuid PRIMARY KEY,
                    reference          text NOT NULL UNIQUE,
                    address            text NOT NULL DEFAULT '',
                    postal_code        text NOT NULL DEFAULT '',
                    city               text NOT NULL DEFAULT '',
                    quotient_familial  integer CHECK (quotient_familial >= 0),
                    created_at         timestamptz NOT NULL DEFAULT now(),
                    updated_at         timestamptz NOT NULL DEFAULT now()
                );

                CREATE TABLE guardians (
                    id            uuid PRIMARY KEY,
                    household_id  uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
                    position      smallint NOT NULL CHECK (position IN (1, 2)),
                    last_name     text NOT NULL,
                    first_name    text NOT NULL,
                    email         text,
                    phone         text NOT NULL DEFAULT '',
                    created_at    timestamptz NOT NULL DEFAULT now(),
                    updated_at    timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (household_id, position)
                );
                CREATE UNIQUE INDEX guardians_email_key ON guardians (lower(email));

                CREATE TABLE children (
                    id            uuid PRIMARY KEY,
                    household_id  uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
                    last_name     text NOT NULL,
                    first_name    text NOT NULL,
                    birth_date    date NOT NULL,
                    birth_city    text NOT NULL DEFAULT '',
                    school        text NOT NULL DEFAULT '',
                    class         text NOT NULL DEFAULT '',
                    diets         text[] NOT NULL DEFAULT '{}',
                    import_key    text,
                    created_at    timestamptz NOT NULL DEFAULT now(),
                    updated_at    timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (household_id, import_key)
                );
                CREATE INDEX children_household_idx ON children (household_id);

                CREATE TABLE enrolments (
                    child_id         uuid NOT NULL REFERENCES children (id) ON DELETE CASCADE,
                    prestation_code  text NOT NULL REFERENCES prestations (code),
                    created_at       timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (child_id, prestation_code)
                );
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE enrolments, children, guardians, households")
            .await?;
        Ok(())
    }
}
