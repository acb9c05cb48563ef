//! Online payment of an invoice over PayFiP.
//!
//! Invariants:
//! - the attempt (idOp and what was sent) is stored before the parent is sent to PayFiP;
//! - a notification only names an `idOp`: the result is asked back from PayFiP and compared
//!   with the attempt (numcli, refdet, exer, montant); a mismatch is an anomaly, never a
//!   payment;
//! - the attempt row is locked while it is settled, so concurrent notifications (and the
//!   reconciliation of every replica, which skips locked rows) record one payment;
//! - the receipt mail is queued in the transaction that records the payment: once.

use super::invoice_pdf::refdet;
use super::payfip::{Client, Detail, NewPayment, PayfipError, objet};
use super::{BillingError, Status, repository as billing_repo};
use crate::http::tenant_tx::in_tx;
use crate::mail::{Mail, enqueue};
use crate::state::AppState;
use crate::tenancy::{CurrentTenant, current_config};
use chrono::{DateTime, Datelike, Duration, Utc};
use portail_tenants::TenantTx;
use portail_tenants::config::{Payfip, TenantConfig};
use sea_orm::{DbErr, FromQueryResult};
use serde::Serialize;
use uuid::Uuid;

/// An `idOp` lives 15 minutes at PayFiP: a younger pending attempt is reused.
const LIVE: i64 = 15;
/// Without a result 20 minutes after creation, an attempt has expired.
const WAITING: i64 = 20;

#[derive(Debug, Clone, FromQueryResult)]
pub struct Attempt {
    pub id: Uuid,
    pub id_op: String,
    /// The invoice paid, or (for a cart) the checkout.
    pub invoice_id: Option<Uuid>,
    pub checkout_id: Option<Uuid>,
    pub household_id: Uuid,
    pub numcli: String,
    pub exer: String,
    pub refdet: String,
    pub montant: i64,
    pub mel: String,
    pub status: String,
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
}

const ATTEMPT: &str = "SELECT id, id_op, invoice_id, checkout_id, household_id, numcli, exer, refdet, montant, mel, \
     status, detail, created_at FROM payment_attempts";

fn client(state: &AppState) -> Client {
    Client::new(
        &state.settings.payfip_base_url,
        state.settings.payfip_timeout_seconds,
    )
}

/// Starts paying invoice `id` of the household: the PayFiP page to send the parent to.
pub async fn start(
    state: &AppState,
    tenant: &CurrentTenant,
    household_id: Uuid,
    guardian_id: Uuid,
    id: Uuid,
) -> Result<String, BillingError> {
    in_tx(state, tenant, async |tx| {
        let config = current_config(state, tenant, tx).await?;
        let invoice = billing_repo::invoice(tx, id, true)
            .await?
            .filter(|i| i.household_id == household_id && i.kind == "invoice")
            .ok_or(BillingError::NotFound)?;
        let payfip = config
            .payfip
            .as_ref()
            .ok_or(BillingError::PaymentUnavailable)?;
        if !matches!(Status::of(&invoice), Status::Unpaid | Status::PartiallyPaid) {
            return Err(BillingError::NothingToPay);
        }
        let now = state.clock.now();
        // The invoice row is locked: two PAYER at once make one attempt, the second reuses it.
        if let Some(page) = live_page(state, tx, "invoice_id = $1", id, now).await? {
            return Ok(page);
        }
        let debt = Debt {
            paying: Paying::Invoice(id),
            household_id,
            guardian_id,
            exer: invoice.issued_on.year().to_string(),
            refdet: refdet(&invoice.number),
            montant: invoice.amount_cents - invoice.paid_cents,
            objet: objet(&format!("Facture {} {}", invoice.number, config.name)),
        };
        create(state, tenant, tx, &config, payfip, debt, now).await
    })
    .await
}

/// PayFiP's page of the live attempt (pending, younger than [`LIVE`]) among those `condition`
/// selects (`$1` being `key`): a second PAYER reuses it rather than paying twice.
pub(super) async fn live_page(
    state: &AppState,
    tx: &TenantTx,
    condition: &str,
    key: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbErr> {
    let live: Option<Attempt> = tx
        .one(
            &format!(
                "{ATTEMPT} WHERE {condition} AND status = 'pending' AND created_at > $2 \
                 ORDER BY created_at DESC LIMIT 1"
            ),
            [key.into(), (now - Duration::minutes(LIVE)).into()],
        )
        .await?;
    Ok(live.map(|a| client(state).payment_page(&a.id_op)))
}

/// What an attempt pays: an invoice, or the checkout of a cart.
pub(super) enum Paying {
    Invoice(Uuid),
    Checkout(Uuid),
}

/// A debt to pay over PayFiP, and who pays it.
pub(super) struct Debt {
    pub paying: Paying,
    pub household_id: Uuid,
    /// Whose e-mail PayFiP sends its ticket to (the municipality's contact without one).
    pub guardian_id: Uuid,
    pub exer: String,
    pub refdet: String,
    pub montant: i64,
    pub objet: String,
}

/// Creates the payment of `debt` at PayFiP and stores its attempt, before the payer is sent
/// to PayFiP's page (the answer).
pub(super) async fn create(
    state: &AppState,
    tenant: &CurrentTenant,
    tx: &TenantTx,
    config: &TenantConfig,
    payfip: &Payfip,
    debt: Debt,
    now: DateTime<Utc>,
) -> Result<String, BillingError> {
    #[derive(FromQueryResult)]
    struct Email {
        email: String,
    }
    let mel: Option<String> = tx
        .one::<Email>(
            "SELECT email FROM guardians WHERE id = $1 AND email IS NOT NULL",
            [debt.guardian_id.into()],
        )
        .await?
        .map(|e| e.email);
    let attempt_id = Uuid::new_v4();
    let base = format!("{}/{}", state.settings.public_url, tenant.slug());
    let sent = NewPayment {
        numcli: payfip.numcli.clone(),
        exer: debt.exer,
        refdet: debt.refdet,
        montant: debt.montant,
        mel: mel.unwrap_or_else(|| config.contact.email.clone()),
        objet: debt.objet,
        saisie: payfip.saisie.as_str().to_string(),
        urlnotif: format!("{base}/payfip/notification"),
        urlredirect: format!("{base}/factures/retour?paiement={attempt_id}"),
    };
    let client = client(state);
    let id_op = client.create(&sent).await.map_err(|e| {
        tracing::warn!(tenant.slug = tenant.slug(), error = %e, "PayFiP: payment not created");
        BillingError::PayfipUnavailable
    })?;
    let (invoice_id, checkout_id) = match debt.paying {
        Paying::Invoice(id) => (Some(id), None),
        Paying::Checkout(id) => (None, Some(id)),
    };
    tx.run(
        "INSERT INTO payment_attempts (id, id_op, invoice_id, checkout_id, household_id, numcli, \
                                       exer, refdet, montant, mel, status, created_at, next_check_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12)",
        [
            attempt_id.into(),
            id_op.clone().into(),
            invoice_id.into(),
            checkout_id.into(),
            debt.household_id.into(),
            sent.numcli.into(),
            sent.exer.into(),
            sent.refdet.into(),
            sent.montant.into(),
            sent.mel.into(),
            now.into(),
            (now + Duration::minutes(2)).into(),
        ],
    )
    .await?;
    Ok(client.payment_page(&id_op))
}

/// Settles the attempt of `id_op` from PayFiP's answer; an unknown `idOp` is ignored.
pub async fn settle(
    state: &AppState,
    tenant: &CurrentTenant,
    id_op: &str,
) -> Result<Option<String>, BillingError> {
    in_tx(state, tenant, async |tx| {
        let attempt: Option<Attempt> = tx
            .one(
                &format!("{ATTEMPT} WHERE id_op = $1 FOR UPDATE"),
                [id_op.into()],
            )
            .await?;
        match attempt {
            Some(attempt) => Ok(Some(settle_locked(state, tenant, tx, &attempt).await?)),
            None => Ok(None),
        }
    })
    .await
}

/// Settles one locked pending attempt; its status afterwards.
async fn settle_locked(
    state: &AppState,
    tenant: &CurrentTenant,
    tx: &TenantTx,
    attempt: &Attempt,
) -> Result<String, BillingError> {
    if attempt.status != "pending" {
        return Ok(attempt.status.clone());
    }
    let now = state.clock.now();
    let (status, resultrans, detail) = match client(state).detail(&attempt.id_op).await {
        Ok(d) => judge(attempt, &d),
        Err(PayfipError::NoResultYet) if now - attempt.created_at > Duration::minutes(WAITING) => {
            ("expired", None, None)
        }
        Err(PayfipError::UnknownOperation) => ("expired", None, Some("P1".to_string())),
        Err(e) => {
            // Waiting (P5) or PayFiP unreachable: asked again later by the reconciliation.
            tx.run(
                "UPDATE payment_attempts SET next_check_at = $2 WHERE id = $1",
                [attempt.id.into(), (now + Duration::minutes(1)).into()],
            )
            .await?;
            tracing::info!(error = %e, "PayFiP: no result yet");
            return Ok("pending".into());
        }
    };
    let mut status = status;
    let mut detail = detail;
    if status == "paid"
        && let Some(invoice_id) = attempt.invoice_id
    {
        // A paid invoice is never paid twice: more than what remains is an anomaly.
        let invoice = billing_repo::invoice(tx, invoice_id, true)
            .await?
            .ok_or(BillingError::NotFound)?;
        if attempt.montant > invoice.amount_cents - invoice.paid_cents {
            status = "anomaly";
            detail = Some("already paid".into());
        } else {
            let paid = (invoice_id, invoice.number.as_str());
            record_payment(tx, attempt, paid, resultrans.as_deref(), now).await?;
        }
    }
    if let Some(checkout) = attempt.checkout_id {
        let config = current_config(state, tenant, tx).await?;
        let receipt = if status == "paid" {
            super::cart::confirm(tx, &config, checkout, Some(attempt.montant), now).await?
        } else {
            None
        };
        match receipt {
            Some((id, number)) => {
                record_payment(tx, attempt, (id, &number), resultrans.as_deref(), now).await?;
            }
            None => {
                if status == "paid" {
                    // Paid for days no longer held: the régie refunds, never a booking.
                    status = "anomaly";
                    detail = Some("cart released".into());
                }
                super::cart::unlock(tx, checkout).await?;
            }
        }
    }
    tx.run(
        "UPDATE payment_attempts SET status = $2, resultrans = $3, detail = $4, settled_at = $5 \
         WHERE id = $1",
        [
            attempt.id.into(),
            status.into(),
            resultrans.into(),
            detail.into(),
            now.into(),
        ],
    )
    .await?;
    if status == "anomaly" {
        tracing::warn!(attempt.id = %attempt.id, "PayFiP: an attempt needs the régisseur");
    }
    Ok(status.to_string())
}

/// What PayFiP's detail means for the attempt: (status, resultrans, anomaly detail).
fn judge(attempt: &Attempt, d: &Detail) -> (&'static str, Option<String>, Option<String>) {
    let mut mismatches = Vec::new();
    for (name, ours, theirs) in [
        ("numcli", attempt.numcli.as_str(), d.numcli.as_str()),
        ("refdet", attempt.refdet.as_str(), d.refdet.as_str()),
        ("exer", attempt.exer.as_str(), d.exer.as_str()),
    ] {
        if ours != theirs {
            mismatches.push(format!("{name} {theirs} ≠ {ours}"));
        }
    }
    if attempt.montant != d.montant {
        mismatches.push(format!("montant {} ≠ {}", d.montant, attempt.montant));
    }
    let result = Some(d.resultrans.clone());
    if !mismatches.is_empty() {
        return ("anomaly", result, Some(mismatches.join(", ")));
    }
    match d.resultrans.as_str() {
        "P" | "V" => ("paid", result, None),
        "R" | "Z" => ("refused", result, None),
        "A" => ("abandoned", result, None),
        other => ("anomaly", result, Some(format!("resultrans {other}"))),
    }
}

async fn record_payment(
    tx: &TenantTx,
    attempt: &Attempt,
    (invoice_id, number): (Uuid, &str),
    numauto: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tx.run(
        "INSERT INTO payments (id, attempt_id, invoice_id, amount_cents, numauto, paid_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        [
            Uuid::new_v4().into(),
            attempt.id.into(),
            invoice_id.into(),
            attempt.montant.into(),
            numauto.unwrap_or_default().into(),
            now.into(),
        ],
    )
    .await?;
    tx.run(
        "UPDATE invoices SET paid_cents = paid_cents + $2 WHERE id = $1",
        [invoice_id.into(), attempt.montant.into()],
    )
    .await?;
    // In the payer's language when the payer is a guardian who chose one.
    #[derive(FromQueryResult)]
    struct Chosen {
        locale: Option<String>,
    }
    let chosen: Option<Chosen> = tx
        .one(
            "SELECT locale FROM guardians WHERE household_id = $1 AND email = $2 LIMIT 1",
            [attempt.household_id.into(), attempt.mel.clone().into()],
        )
        .await?;
    let locale = chosen
        .and_then(|c| c.locale)
        .and_then(|l| crate::i18n::Locale::parse(&l))
        .unwrap_or(crate::i18n::Locale::Fr);
    let mail = crate::i18n::sync_scope(locale, || {
        // "lundi 11 janvier 2027": the date in words, in the payer's language.
        let data = Receipt {
            number: number.to_string(),
            amount: super::money::euros(attempt.montant),
            date: crate::i18n::calendar::day_with_year(crate::family::paris_date(now)),
        };
        Mail::render(
            "payment_receipt",
            &attempt.mel,
            &crate::i18n::t("mail-payment-receipt-subject"),
            &data,
        )
    });
    enqueue(tx, &mail).await
}

#[derive(Serialize)]
struct Receipt {
    number: String,
    amount: String,
    date: String,
}

/// Asks PayFiP for the pending attempts due a check, skipping those another replica (or a
/// notification) holds; how many were settled.
pub async fn reconcile(state: &AppState, tenant: &CurrentTenant) -> Result<usize, BillingError> {
    let mut settled = 0;
    // One attempt per transaction, at most 50 per pass.
    for _ in 0..50 {
        let status = in_tx(state, tenant, async |tx| {
            let due: Option<Attempt> = tx
                .one(
                    &format!(
                        "{ATTEMPT} WHERE status = 'pending' AND next_check_at <= $1 \
                         ORDER BY next_check_at LIMIT 1 FOR UPDATE SKIP LOCKED"
                    ),
                    [state.clock.now().into()],
                )
                .await?;
            match due {
                Some(attempt) => Ok(Some(settle_locked(state, tenant, tx, &attempt).await?)),
                None => Ok::<_, BillingError>(None),
            }
        })
        .await?;
        match status.as_deref() {
            None => break,
            // Still waiting: its next check is later; go on with the others.
            Some("pending") => continue,
            Some(_) => settled += 1,
        }
    }
    Ok(settled)
}

/// The state of an attempt of the household, for the return page.
pub async fn attempt_of(
    state: &AppState,
    tenant: &CurrentTenant,
    household_id: Uuid,
    id: Uuid,
) -> Result<(Attempt, String), BillingError> {
    in_tx(state, tenant, async |tx| {
        let attempt: Option<Attempt> = tx
            .one(
                &format!("{ATTEMPT} WHERE id = $1 AND household_id = $2"),
                [id.into(), household_id.into()],
            )
            .await?;
        let attempt = attempt.ok_or(BillingError::NotFound)?;
        // A cart's attempt is named by its receipt once paid.
        #[derive(FromQueryResult)]
        struct Number {
            number: String,
        }
        let number: Option<Number> = tx
            .one(
                "SELECT i.number FROM invoices i WHERE i.id = $1 \
                 OR i.id = (SELECT receipt_id FROM cart_checkouts WHERE id = $2)",
                [attempt.invoice_id.into(), attempt.checkout_id.into()],
            )
            .await?;
        let number = number.map(|n| n.number).unwrap_or_default();
        Ok((attempt, number))
    })
    .await
}

/// The latest attempts, for the régisseur: anomalies first.
pub async fn latest_attempts(
    state: &AppState,
    tenant: &CurrentTenant,
) -> Result<Vec<Attempt>, BillingError> {
    let query = format!("{ATTEMPT} ORDER BY (status = 'anomaly') DESC, created_at DESC LIMIT 100");
    Ok(in_tx(state, tenant, async |tx| tx.all(&query, []).await).await?)
}

/// A payment recorded, for the régisseur.
#[derive(Debug, Clone, FromQueryResult)]
pub struct PaymentRow {
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub invoice_number: String,
    pub amount_cents: i64,
    pub numauto: String,
    pub paid_at: DateTime<Utc>,
}

/// The latest payments, newest first.
pub async fn latest_payments(
    state: &AppState,
    tenant: &CurrentTenant,
) -> Result<Vec<PaymentRow>, BillingError> {
    const LATEST: &str = "SELECT p.id, p.invoice_id, i.number AS invoice_number, p.amount_cents, \
                                 p.numauto, p.paid_at \
                          FROM payments p JOIN invoices i ON i.id = p.invoice_id \
                          ORDER BY p.paid_at DESC, i.number DESC LIMIT 200";
    Ok(in_tx(state, tenant, async |tx| tx.all(LATEST, []).await).await?)
}

/// Reconciles every municipality, every `every`, until `stop`: run by every replica.
pub async fn reconciliation_loop(
    state: std::sync::Arc<AppState>,
    registry: sea_orm::DatabaseConnection,
    every: std::time::Duration,
) {
    // Not at start: a replica that starts has nothing more urgent than its first requests.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tick.tick().await;
        let tenants = match portail_tenants::registry::list(&registry).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "payment reconciliation: registry unreachable");
                continue;
            }
        };
        for t in tenants {
            let tenant = CurrentTenant(std::sync::Arc::new(t));
            if let Err(e) = reconcile(&state, &tenant).await {
                tracing::warn!(tenant.slug = tenant.slug(), error = %e, "payment reconciliation failed");
            }
            if let Err(e) = super::cart::sweep(&state, &tenant).await {
                tracing::warn!(tenant.slug = tenant.slug(), error = %e, "cart sweep failed");
            }
        }
    }
}
