//! Delivers the outboxes. Every replica runs a sender: rows are claimed with
//! `FOR UPDATE SKIP LOCKED`, so two senders never deliver the same mail. A failed delivery is
//! retried with a growing delay (30 s, 1 min, 2 min… at most 1 h); nothing is dropped.
//!
//! Which outboxes to look at: the tenants this process just queued mail for (woken at once),
//! and every tenant on a slow sweep, which catches mail queued by a replica that stopped.

use crate::settings::Settings;
use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use portail_tenants::database::sql;
use portail_tenants::{SchemaName, TenantTx, registry};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

const BATCH: i64 = 20;

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Tells the sender which tenants have mail waiting.
#[derive(Default)]
pub struct Outboxes {
    pending: Mutex<HashSet<SchemaName>>,
    wake: Notify,
}

impl Outboxes {
    /// Call after committing a transaction that queued mail.
    pub fn notify(&self, schema: &SchemaName) {
        self.pending
            .lock()
            .expect("not poisoned")
            .insert(schema.clone());
        self.wake.notify_one();
    }

    fn take(&self) -> Vec<SchemaName> {
        self.pending.lock().expect("not poisoned").drain().collect()
    }
}

#[derive(FromQueryResult)]
struct Queued {
    id: i64,
    to_address: String,
    subject: String,
    text_body: String,
    html_body: String,
    attempts: i32,
}

pub struct MailSender {
    db: DatabaseConnection,
    transport: Transport,
    from: Mailbox,
    outboxes: Arc<Outboxes>,
    sweep_every: Option<Duration>,
}

impl MailSender {
    pub fn new(
        settings: &Settings,
        db: DatabaseConnection,
        outboxes: Arc<Outboxes>,
    ) -> anyhow::Result<Self> {
        let transport = match &settings.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&settings.mail_dir).map_err(|e| {
                    anyhow::anyhow!("MAIL_DIR {}: {e}", settings.mail_dir.display())
                })?;
                Transport::Files(AsyncFileTransport::<Tokio1Executor>::new(
                    &settings.mail_dir,
                ))
            }
        };
        let from = settings
            .mail_from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM {:?}: {e}", settings.mail_from))?;
        let sweep_every = (settings.mail_sweep_seconds > 0)
            .then(|| Duration::from_secs(settings.mail_sweep_seconds));
        Ok(Self {
            db,
            transport,
            from,
            outboxes,
            sweep_every,
        })
    }

    /// Runs until `stop` resolves. Mail a request just queued and the periodic sweep of
    /// every outbox are two loops side by side: a sweep visits each municipality in turn
    /// (1,000 transactions, seconds under load), and a password-reset link queued meanwhile
    /// must not wait for it. `FOR UPDATE SKIP LOCKED` keeps them from sending a mail twice,
    /// as it does between replicas.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        tokio::select! {
            _ = stop => {}
            _ = self.deliver_notified() => {}
            _ = self.sweep() => {}
        }
    }

    /// Delivers the outboxes of the tenants that just queued mail, as they are notified.
    async fn deliver_notified(&self) {
        loop {
            // A notification that comes while delivering is kept (`Notify` stores a permit).
            self.outboxes.wake.notified().await;
            self.deliver_all(self.outboxes.take()).await;
        }
    }

    /// Every `sweep_every`, and once at start, delivers every municipality's outbox: mail a
    /// stopped replica left, and retries that are due. Without a sweep (tests: each process
    /// delivers its own mail) it waits forever.
    async fn sweep(&self) {
        let Some(every) = self.sweep_every else {
            return std::future::pending().await;
        };
        let mut ticks = tokio::time::interval(every);
        // A sweep longer than the period is followed by a full period, not by another at once.
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match self.municipalities().await {
                Ok(tenants) => {
                    self.deliver_all(tenants.into_iter().map(|t| t.schema_name).collect())
                        .await
                }
                Err(e) => tracing::warn!(error = %e, "mail sweep: registry unreachable"),
            }
        }
    }

    async fn deliver_all(&self, schemas: Vec<SchemaName>) {
        for schema in schemas {
            if let Err(e) = self.deliver(&schema, Utc::now()).await {
                tracing::warn!(tenant.schema = %schema, error = %e, "mail delivery pass failed");
            }
        }
    }

    /// Delivers what is due in one tenant's outbox; returns how many were sent.
    pub async fn deliver(&self, schema: &SchemaName, now: DateTime<Utc>) -> Result<usize, DbErr> {
        let mut sent = 0;
        loop {
            let tx = TenantTx::begin(&self.db, schema).await?;
            let rows = tx
                .query_all_raw(sql(
                    "SELECT id, to_address, subject, text_body, html_body, attempts FROM outbox
                     WHERE sent_at IS NULL AND next_attempt_at <= $1
                     ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
                    [now.into(), BATCH.into()],
                ))
                .await?;
            if rows.is_empty() {
                tx.commit().await?;
                return Ok(sent);
            }
            let count = rows.len();
            for row in rows {
                let mail = Queued::from_query_result(&row, "")?;
                match self.send(&mail).await {
                    Ok(()) => {
                        tx.execute_raw(sql("UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1", [mail.id.into(), now.into()]))
                            .await?;
                        sent += 1;
                    }
                    Err(error) => {
                        let delay = backoff(mail.attempts + 1);
                        tracing::warn!(tenant.schema = %schema, mail.id = mail.id, attempts = mail.attempts + 1, error = %error, "mail not delivered, will retry");
                        tx.execute_raw(sql(
                            "UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1",
                            [mail.id.into(), error.into(), (now + delay).into()],
                        ))
                        .await?;
                    }
                }
            }
            tx.commit().await?;
            if (count as i64) < BATCH {
                return Ok(sent);
            }
        }
    }

    async fn send(&self, mail: &Queued) -> Result<(), String> {
        let to: Mailbox = mail
            .to_address
            .parse()
            .map_err(|e| format!("address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.text_body.clone(),
                mail.html_body.clone(),
            ))
            .map_err(|e| format!("message: {e}"))?;
        match &self.transport {
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Files(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// 30 s after the first failure, doubling, at most an hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let seconds = 30i64.saturating_mul(1i64 << attempts.clamp(1, 20).saturating_sub(1));
    chrono::Duration::seconds(seconds.min(3600))
}

impl MailSender {
    /// Every municipality, read in a transaction as every statement of the service (see
    /// `Pooler::Transaction`).
    async fn municipalities(&self) -> Result<Vec<portail_tenants::Tenant>, DbErr> {
        let tx = sea_orm::TransactionTrait::begin(&self.db).await?;
        let tenants = registry::list(&tx).await?;
        tx.commit().await?;
        Ok(tenants)
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(backoff(1).num_seconds(), 30);
        assert_eq!(backoff(2).num_seconds(), 60);
        assert_eq!(backoff(3).num_seconds(), 120);
        assert_eq!(backoff(8).num_seconds(), 3600);
        assert_eq!(backoff(1000).num_seconds(), 3600);
    }
}
