use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The prepaid meal cart. A day in the cart holds its place (it is counted in
        // `day_counts`) until `held_until`, or while a payment of it is pending; paid, it
        // becomes a reservation and a row of `prepaid_days` (what was paid for it, credited
        // back to the household's balance if cancelled in time). A paid cart is receipted by
        // an invoice of kind `receipt` (numbered in the invoices' series). A payment attempt
        // pays either an invoice or a cart checkout.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE cart_checkouts (
                    id             uuid PRIMARY KEY,
                    household_id   uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
                    guardian_id    uuid,
                    amount_cents   bigint NOT NULL CHECK (amount_cents >= 0),
                    balance_cents  bigint NOT NULL CHECK (balance_cents >= 0),
                    receipt_id     uuid REFERENCES invoices (id),
                    created_at     timestamptz NOT NULL
                );

                CREATE TABLE cart_items (
                    child_id         uuid NOT NULL REFERENCES children (id) ON DELETE CASCADE,
                    prestation_code  text NOT NULL,
                    day              date NOT NULL,
                    household_id     uuid NOT NULL,
                    guardian_id      uuid,
                    price_cents      integer NOT NULL CHECK (price_cents >= 0),
                    held_until       timestamptz NOT NULL,
                    checkout_id      uuid REFERENCES cart_checkouts (id),
                    created_at       timestamptz NOT NULL,
                    PRIMARY KEY (child_id, prestation_code, day)
                );
                CREATE INDEX cart_items_household_idx ON cart_items (household_id);
                CREATE INDEX cart_items_held_idx ON cart_items (held_until);

                CREATE TABLE prepaid_days (
                    child_id         uuid NOT NULL REFERENCES children (id) ON DELETE CASCADE,
                    prestation_code  text NOT NULL,
                    day              date NOT NULL,
                    household_id     uuid NOT NULL,
                    price_cents      integer NOT NULL CHECK (price_cents >= 0),
                    receipt_id       uuid NOT NULL REFERENCES invoices (id),
                    PRIMARY KEY (child_id, prestation_code, day)
                );

                -- The household's balance is the sum of its moves: + a paid day cancelled in
                -- time, - what a cart spent of it.
                CREATE TABLE household_credits (
                    id            bigserial PRIMARY KEY,
                    household_id  uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
                    amount_cents  bigint NOT NULL CHECK (amount_cents <> 0),
                    reason        text NOT NULL CHECK (reason IN ('cancelled_day', 'cart')),
                    label         text NOT NULL,
                    at            timestamptz NOT NULL
                );
                CREATE INDEX household_credits_household_idx ON household_credits (household_id);

                ALTER TABLE payment_attempts
                    ALTER COLUMN invoice_id DROP NOT NULL,
                    ADD COLUMN checkout_id uuid REFERENCES cart_checkouts (id),
                    ADD CONSTRAINT payment_attempts_pays_one CHECK ((invoice_id IS NULL) <> (checkout_id IS NULL));
                CREATE INDEX payment_attempts_checkout_idx ON payment_attempts (checkout_id);

                ALTER TABLE invoices DROP CONSTRAINT invoices_kind_check,
                    ADD CONSTRAINT invoices_kind_check CHECK (kind IN ('invoice', 'credit_note', 'receipt'));

                ALTER TABLE reservation_events DROP CONSTRAINT reservation_events_source_check,
                    ADD CONSTRAINT reservation_events_source_check
                        CHECK (source IN ('page', 'masse', 'api', 'staff', 'cart'));
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE payment_attempts DROP COLUMN checkout_id; \
                 DROP TABLE household_credits, prepaid_days, cart_items, cart_checkouts",
            )
            .await?;
        Ok(())
    }
}
