use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // An online payment over PayFiP: the attempt is stored with what was sent (numcli,
        // exer, refdet, montant) before the parent is sent to PayFiP; its result is asked
        // back from PayFiP (the notification is not signed) and compared with it. A payment
        // is recorded once per attempt (`UNIQUE (attempt_id)`), whatever the notifications.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                CREATE TABLE payment_attempts (
                    id             uuid PRIMARY KEY,
                    id_op          text NOT NULL UNIQUE,
                    invoice_id     uuid NOT NULL REFERENCES invoices (id),
                    household_id   uuid NOT NULL,
                    numcli         text NOT NULL,
                    exer           text NOT NULL,
                    refdet         text NOT NULL,
                    montant        bigint NOT NULL CHECK (montant > 0),
                    mel            text NOT NULL,
                    status         text NOT NULL CHECK (status IN ('pending', 'paid', 'refused', 'abandoned', 'expired', 'anomaly')),
                    resultrans     text,
                    detail         text,
                    created_at     timestamptz NOT NULL,
                    next_check_at  timestamptz NOT NULL,
                    settled_at     timestamptz
                );
                CREATE INDEX payment_attempts_pending_idx ON payment_attempts (next_check_at)
                    WHERE status = 'pending';
                CREATE INDEX payment_attempts_invoice_idx ON payment_attempts (invoice_id);

                CREATE TABLE payments (
                    id            uuid PRIMARY KEY,
                    attempt_id    uuid NOT NULL UNIQUE REFERENCES payment_attempts (id),
                    invoice_id    uuid NOT NULL REFERENCES invoices (id),
                    amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
                    numauto       text NOT NULL DEFAULT '',
                    paid_at       timestamptz NOT NULL
                );
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE payments, payment_attempts")
            .await?;
        Ok(())
    }
}
