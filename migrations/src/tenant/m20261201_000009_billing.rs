use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Invoices and credit notes of the régie. They are never deleted (no cascade from
        // households): a wrong invoice is cancelled by a credit note that points at it.
        // `invoice_counters` holds the last number of each series and year; the billing run
        // locks its row in its own transaction, so numbers are gap-free and never reused (a
        // PostgreSQL sequence would leave holes on rollback). `billed_days` says which day of
        // which child and prestation each invoice billed (+1) or credited (-1), at what price:
        // a re-run bills only the difference with what the bookings are now.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE invoice_counters (
                    series  text NOT NULL,
                    year    integer NOT NULL,
                    last    integer NOT NULL DEFAULT 0 CHECK (last >= 0),
                    PRIMARY KEY (series, year)
                );

                CREATE TABLE invoices (
                    id            uuid PRIMARY KEY,
                    number        text NOT NULL UNIQUE,
                    kind          text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
                    household_id  uuid NOT NULL REFERENCES households (id),
                    period        date NOT NULL CHECK (extract(day FROM period) = 1),
                    issued_on     date NOT NULL,
                    due_on        date NOT NULL,
                    amount_cents  bigint NOT NULL,
                    paid_cents    bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
                    credits       uuid REFERENCES invoices (id),
                    cancelled_by  uuid REFERENCES invoices (id),
                    pdf           bytea NOT NULL,
                    created_at    timestamptz NOT NULL,
                    created_by    text NOT NULL,
                    CHECK ((kind = 'credit_note') = (credits IS NOT NULL))
                );
                -- One live invoice per household and month.
                CREATE UNIQUE INDEX invoices_one_per_month ON invoices (household_id, period)
                    WHERE kind = 'invoice' AND cancelled_by IS NULL;
                CREATE INDEX invoices_household_idx ON invoices (household_id, issued_on DESC);

                CREATE TABLE invoice_lines (
                    id                bigserial PRIMARY KEY,
                    invoice_id        uuid NOT NULL REFERENCES invoices (id),
                    position          integer NOT NULL,
                    child_id          uuid REFERENCES children (id) ON DELETE SET NULL,
                    prestation_code   text NOT NULL,
                    kind              text NOT NULL CHECK (kind IN ('booked', 'late_cancellation', 'regularisation', 'credit')),
                    days              integer NOT NULL,
                    unit_price_cents  integer NOT NULL,
                    amount_cents      bigint NOT NULL,
                    label             text NOT NULL,
                    UNIQUE (invoice_id, position)
                );

                CREATE TABLE billed_days (
                    id                bigserial PRIMARY KEY,
                    invoice_id        uuid NOT NULL REFERENCES invoices (id),
                    household_id      uuid NOT NULL,
                    child_id          uuid NOT NULL,
                    prestation_code   text NOT NULL,
                    day               date NOT NULL,
                    units             smallint NOT NULL CHECK (units IN (1, -1)),
                    unit_price_cents  integer NOT NULL
                );
                CREATE INDEX billed_days_key_idx ON billed_days (household_id, day);
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE billed_days, invoice_lines, invoices, invoice_counters")
            .await?;
        Ok(())
    }
}
