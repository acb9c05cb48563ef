use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One row per booked day. `day_counts` holds, per prestation and day, how many places
        // are taken: booking locks that row, so capacity holds under any concurrency.
        // `reservation_events` is the parents' proof: every booking and cancellation, by whom,
        // when and from where; it is never updated or deleted.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE reservations (
                    child_id         uuid NOT NULL REFERENCES children (id) ON DELETE CASCADE,
                    prestation_code  text NOT NULL REFERENCES prestations (code),
                    day              date NOT NULL,
                    created_at       timestamptz NOT NULL,
                    created_by       uuid REFERENCES guardians (id) ON DELETE SET NULL,
                    PRIMARY KEY (child_id, prestation_code, day)
                );
                CREATE INDEX reservations_day_idx ON reservations (prestation_code, day);

                CREATE TABLE day_counts (
                    prestation_code  text NOT NULL REFERENCES prestations (code),
                    day              date NOT NULL,
                    booked           integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
                    PRIMARY KEY (prestation_code, day)
                );

                CREATE TABLE reservation_events (
                    id               bigserial PRIMARY KEY,
                    at               timestamptz NOT NULL,
                    household_id     uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
                    guardian_id      uuid REFERENCES guardians (id) ON DELETE SET NULL,
                    child_id         uuid NOT NULL REFERENCES children (id) ON DELETE CASCADE,
                    prestation_code  text NOT NULL,
                    day              date NOT NULL,
                    action           text NOT NULL CHECK (action IN ('book', 'cancel')),
                    source           text NOT NULL CHECK (source IN ('page', 'masse', 'api', 'staff'))
                );
                CREATE INDEX reservation_events_household_idx ON reservation_events (household_id, at DESC);

                -- The private address of a household's calendar feed: only its hash is kept.
                CREATE TABLE calendar_feeds (
                    household_id  uuid PRIMARY KEY REFERENCES households (id) ON DELETE CASCADE,
                    token_hash    text NOT NULL UNIQUE,
                    created_at    timestamptz NOT NULL
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
                "DROP TABLE calendar_feeds, reservation_events, day_counts, reservations",
            )
            .await?;
        Ok(())
    }
}
