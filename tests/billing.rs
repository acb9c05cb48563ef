//! Billing end to end: the monthly run (tariff bands, late cancellations, regularisations,
//! gap-free numbers, idempotent re-runs, one run at a time, all or nothing), credit notes,
//! the PDF read back with `pdftotext`, "Mes factures" and the invoices API, the CLI.

mod support;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use portail::billing::month::Month;
use portail::billing::run::RunReport;
use portail::billing::{BillingError, credit_note, repository, run, unpaid_for_household};
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use portail_tenants::registry::Tenant;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::Value;
use support::*;
use uuid::Uuid;

const PAUL: &str = "paul.alain@demo.example";
const MAIWENN: &str = "maiwenn.legall@demo.example";
const GOOD: &str = "Vélo#Rouge42x";

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// 30 November 2026, noon in Paris: the day the tests bill.
fn issue_instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 11, 0, 0).unwrap()
}

async fn child_id(db: &DatabaseConnection, tenant: &Tenant, first_name: &str) -> Uuid {
    let tx = TenantTx::begin(db, &tenant.schema_name).await.unwrap();
    let row = tx
        .query_one_raw(sql(
            "SELECT id FROM children WHERE first_name = $1",
            [first_name.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    row.try_get("", "id").unwrap()
}

async fn household_of(db: &DatabaseConnection, tenant: &Tenant, child: Uuid) -> Uuid {
    let tx = TenantTx::begin(db, &tenant.schema_name).await.unwrap();
    let row = tx
        .query_one_raw(sql(
            "SELECT household_id FROM children WHERE id = $1",
            [child.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    row.try_get("", "household_id").unwrap()
}

async fn exec(db: &DatabaseConnection, tenant: &Tenant, text: &str, values: Vec<sea_orm::Value>) {
    let tx = TenantTx::begin(db, &tenant.schema_name).await.unwrap();
    if values.is_empty() {
        tx.execute_unprepared(text).await.unwrap();
    } else {
        tx.execute_raw(sql(text, values)).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Books `days` as the parents' page would leave them: the booking and its event.
async fn book(
    db: &DatabaseConnection,
    tenant: &Tenant,
    child: Uuid,
    code: &str,
    days: &[NaiveDate],
) {
    for d in days {
        exec(
            db,
            tenant,
            "INSERT INTO reservations (child_id, prestation_code, day, created_at) VALUES ($1, $2, $3, now())",
            vec![child.into(), code.into(), (*d).into()],
        )
        .await;
        exec(
            db,
            tenant,
            "INSERT INTO reservation_events (at, household_id, child_id, prestation_code, day, action, source) \
             SELECT $4, household_id, id, $2, $3, 'book', 'page' FROM children WHERE id = $1",
            vec![
                child.into(),
                code.into(),
                (*d).into(),
                Utc.with_ymd_and_hms(2026, 10, 1, 8, 0, 0).unwrap().into(),
            ],
        )
        .await;
    }
}

/// Cancels a booked day at `at` (a staff cancellation may come after the deadline).
async fn cancel_at(
    db: &DatabaseConnection,
    tenant: &Tenant,
    child: Uuid,
    code: &str,
    d: NaiveDate,
    at: DateTime<Utc>,
) {
    exec(
        db,
        tenant,
        "DELETE FROM reservations WHERE child_id = $1 AND prestation_code = $2 AND day = $3",
        vec![child.into(), code.into(), d.into()],
    )
    .await;
    exec(
        db,
        tenant,
        "INSERT INTO reservation_events (at, household_id, child_id, prestation_code, day, action, source) \
         SELECT $4, household_id, id, $2, $3, 'cancel', 'staff' FROM children WHERE id = $1",
        vec![child.into(), code.into(), d.into(), at.into()],
    )
    .await;
}

async fn bill(
    db: &DatabaseConnection,
    tenant: &Tenant,
    month: &str,
    dry: bool,
) -> Result<RunReport, BillingError> {
    let tx = TenantTx::begin(db, &tenant.schema_name).await.unwrap();
    let config = portail::portal::repository::tenant_config(&tx)
        .await
        .unwrap();
    let report = run::run(
        &tx,
        &config,
        Month::parse(month).unwrap(),
        issue_instant(),
        dry,
        "test",
    )
    .await;
    if report.is_ok() && !dry {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    report
}

async fn invoices(
    db: &DatabaseConnection,
    tenant: &Tenant,
    household: Uuid,
) -> Vec<repository::InvoiceRow> {
    let tx = TenantTx::begin(db, &tenant.schema_name).await.unwrap();
    let rows = repository::invoices_of(&tx, household).await.unwrap();
    tx.commit().await.unwrap();
    rows
}

async fn lines(
    db: &DatabaseConnection,
    tenant: &Tenant,
    invoice: Uuid,
) -> Vec<repository::LineRow> {
    let tx = TenantTx::begin(db, &tenant.schema_name).await.unwrap();
    let rows = repository::lines_of(&tx, invoice).await.unwrap();
    tx.commit().await.unwrap();
    rows
}

async fn count(db: &DatabaseConnection, tenant: &Tenant, text: &str) -> i64 {
    let tx = TenantTx::begin(db, &tenant.schema_name).await.unwrap();
    let row = tx.query_one_raw(sql(text, [])).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    row.try_get_by_index(0).unwrap()
}

/// The text of a PDF, as `pdftotext` reads it, spaces made plain.
fn pdf_text(bytes: &[u8]) -> String {
    let path = temp_file("facture.pdf", bytes);
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(['\u{a0}', '\u{202f}'], " ")
}

#[tokio::test]
async fn a_month_is_billed_per_household_at_its_quotient_band_with_gap_free_numbers() {
    let db = db(2).await;
    let tenant = create_tenant_with_families(&db, "bill", "Mairie de Facturation").await;
    let theo = child_id(&db, &tenant, "Théo").await;
    let erwan = child_id(&db, &tenant, "Erwan").await;
    // Théo's household has a quotient of 999 (repas 2,50 €); Erwan's 420 (repas 1,00 €).
    book(
        &db,
        &tenant,
        theo,
        "repas",
        &[day(11, 2), day(11, 3), day(11, 5)],
    )
    .await;
    book(&db, &tenant, theo, "peri-soir", &[day(11, 3)]).await;
    book(&db, &tenant, erwan, "repas", &[day(11, 2), day(11, 6)]).await;
    // December is not billed by the November run.
    book(&db, &tenant, theo, "repas", &[day(12, 1)]).await;

    let dry = bill(&db, &tenant, "2026-11", true).await.unwrap();
    assert_eq!(dry.issued.len(), 2);
    assert_eq!(
        count(&db, &tenant, "SELECT count(*) FROM invoices").await,
        0,
        "a dry run issues nothing"
    );

    let report = bill(&db, &tenant, "2026-11", false).await.unwrap();
    let numbers: Vec<&str> = report.issued.iter().map(|i| i.number.as_str()).collect();
    // Households in the order of their reference: F0001 (Théo), F0002 (Erwan).
    assert_eq!(numbers, ["FAC-2026-000001", "FAC-2026-000002"]);
    let alain = household_of(&db, &tenant, theo).await;
    let legall = household_of(&db, &tenant, erwan).await;
    assert_eq!(report.issued[0].household_id, alain);
    assert_eq!(report.issued[0].amount_cents, 3 * 250 + 200);
    assert_eq!(report.issued[1].amount_cents, 2 * 100);

    let found = invoices(&db, &tenant, alain).await;
    assert_eq!(found.len(), 1);
    let invoice = &found[0];
    assert_eq!(invoice.period, day(11, 1));
    assert_eq!(invoice.issued_on, day(11, 30));
    assert_eq!(invoice.due_on, day(12, 30));
    let l = lines(&db, &tenant, invoice.id).await;
    let summary: Vec<(&str, i32, i32, i64)> = l
        .iter()
        .map(|l| {
            (
                l.prestation_code.as_str(),
                l.days,
                l.unit_price_cents,
                l.amount_cents,
            )
        })
        .collect();
    assert!(summary.contains(&("repas", 3, 250, 750)), "{summary:?}");
    assert!(summary.contains(&("peri-soir", 1, 200, 200)), "{summary:?}");
    assert!(
        l.iter()
            .any(|l| l.label.contains("Théo ALAIN") && l.label.contains("novembre 2026"))
    );

    // The dashboard's view: what remains to pay.
    let tx = TenantTx::begin(&db, &tenant.schema_name).await.unwrap();
    let unpaid = unpaid_for_household(&tx, legall).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(unpaid.len(), 1);
    assert_eq!(
        (unpaid[0].number.as_str(), unpaid[0].amount_cents),
        ("FAC-2026-000002", 200)
    );

    delete_tenant(&db, &tenant.slug).await;
}

#[tokio::test]
async fn a_re_run_bills_nothing_twice_and_later_changes_go_on_the_next_invoice() {
    let db = db(2).await;
    let tenant = create_tenant_with_families(&db, "billre", "Mairie de Facturation").await;
    let theo = child_id(&db, &tenant, "Théo").await;
    let alain = household_of(&db, &tenant, theo).await;
    book(
        &db,
        &tenant,
        theo,
        "repas",
        &[day(11, 2), day(11, 3), day(11, 5)],
    )
    .await;
    bill(&db, &tenant, "2026-11", false).await.unwrap();

    // After billing: a November day is added, another cancelled in time.
    book(&db, &tenant, theo, "repas", &[day(11, 26)]).await;
    cancel_at(
        &db,
        &tenant,
        theo,
        "repas",
        day(11, 5),
        Utc.with_ymd_and_hms(2026, 11, 4, 9, 0, 0).unwrap(),
    )
    .await;
    let again = bill(&db, &tenant, "2026-11", false).await.unwrap();
    assert!(again.issued.is_empty(), "{again:?}");
    assert_eq!(again.skipped, 1);
    assert_eq!(
        invoices(&db, &tenant, alain).await.len(),
        1,
        "one invoice per household and month"
    );

    book(&db, &tenant, theo, "repas", &[day(12, 1), day(12, 3)]).await;
    let december = bill(&db, &tenant, "2026-12", false).await.unwrap();
    assert_eq!(december.issued.len(), 1);
    assert_eq!(december.issued[0].number, "FAC-2026-000002");
    // Two December days, one November day added, one November day credited back.
    assert_eq!(december.issued[0].amount_cents, 2 * 250 + 250 - 250);
    let found = invoices(&db, &tenant, alain).await;
    let l = lines(
        &db,
        &tenant,
        found
            .iter()
            .find(|i| i.number == "FAC-2026-000002")
            .unwrap()
            .id,
    )
    .await;
    let regularisations: Vec<(i32, &str)> = l
        .iter()
        .filter(|l| l.kind == "regularisation")
        .map(|l| (l.days, l.label.as_str()))
        .collect();
    assert_eq!(regularisations.len(), 2, "{l:?}");
    assert!(
        regularisations
            .iter()
            .any(|(d, label)| *d == 1 && label.contains("1 jour réservé après la facturation"))
    );
    assert!(
        regularisations
            .iter()
            .any(|(d, label)| *d == -1 && label.contains("1 jour annulé après la facturation"))
    );

    // Nothing changed since: the next re-run issues nothing.
    assert!(
        bill(&db, &tenant, "2026-12", false)
            .await
            .unwrap()
            .issued
            .is_empty()
    );
    delete_tenant(&db, &tenant.slug).await;
}

#[tokio::test]
async fn a_late_cancellation_is_billed_only_where_the_configuration_says_so() {
    let db = db(2).await;
    let tenant = create_tenant_with_families(&db, "billlate", "Mairie de Facturation").await;
    let theo = child_id(&db, &tenant, "Théo").await;
    book(&db, &tenant, theo, "repas", &[day(11, 2), day(11, 3)]).await;
    book(&db, &tenant, theo, "peri-soir", &[day(11, 3)]).await;
    // Repas (late_cancellation = "billed", deadline 8:30 the same day) cancelled at 10:00
    // Paris; repas on the 2nd cancelled the day before (in time); peri-soir (free) late.
    let late = Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap();
    cancel_at(&db, &tenant, theo, "repas", day(11, 3), late).await;
    cancel_at(
        &db,
        &tenant,
        theo,
        "repas",
        day(11, 2),
        Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap(),
    )
    .await;
    cancel_at(&db, &tenant, theo, "peri-soir", day(11, 3), late).await;

    let report = bill(&db, &tenant, "2026-11", false).await.unwrap();
    assert_eq!(report.issued.len(), 1);
    assert_eq!(report.issued[0].amount_cents, 250);
    let alain = household_of(&db, &tenant, theo).await;
    let invoice = &invoices(&db, &tenant, alain).await[0];
    let l = lines(&db, &tenant, invoice.id).await;
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(l[0].kind, "late_cancellation");
    assert!(
        l[0].label.contains("après la date butoir"),
        "{}",
        l[0].label
    );
    delete_tenant(&db, &tenant.slug).await;
}

#[tokio::test]
async fn a_run_that_fails_halfway_issues_nothing_and_keeps_the_numbers() {
    let db = db(2).await;
    let tenant = create_tenant_with_families(&db, "billfail", "Mairie de Facturation").await;
    let theo = child_id(&db, &tenant, "Théo").await;
    let erwan = child_id(&db, &tenant, "Erwan").await;
    book(&db, &tenant, theo, "repas", &[day(11, 2)]).await;
    book(&db, &tenant, erwan, "repas", &[day(11, 2)]).await;
    // The second invoice of the run cannot be written (as a full disk or a lost connection).
    exec(
        &db,
        &tenant,
        "CREATE FUNCTION refuse_second() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN IF (SELECT count(*) FROM invoices) >= 1 THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$; \
         CREATE TRIGGER refuse_second BEFORE INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION refuse_second()",
        vec![],
    )
    .await;
    let failed = bill(&db, &tenant, "2026-11", false).await;
    assert!(
        matches!(failed, Err(BillingError::Database(_))),
        "{failed:?}"
    );
    assert_eq!(
        count(&db, &tenant, "SELECT count(*) FROM invoices").await,
        0
    );
    assert_eq!(
        count(&db, &tenant, "SELECT count(*) FROM billed_days").await,
        0
    );

    exec(
        &db,
        &tenant,
        "DROP TRIGGER refuse_second ON invoices",
        vec![],
    )
    .await;
    let report = bill(&db, &tenant, "2026-11", false).await.unwrap();
    let numbers: Vec<&str> = report.issued.iter().map(|i| i.number.as_str()).collect();
    assert_eq!(
        numbers,
        ["FAC-2026-000001", "FAC-2026-000002"],
        "no number was lost"
    );
    delete_tenant(&db, &tenant.slug).await;
}

#[tokio::test]
async fn a_second_run_while_one_is_in_progress_is_refused_and_issues_nothing() {
    let db = db(3).await;
    let tenant = create_tenant_with_families(&db, "billlock", "Mairie de Facturation").await;
    let theo = child_id(&db, &tenant, "Théo").await;
    book(&db, &tenant, theo, "repas", &[day(11, 2)]).await;
    // A first run holds the lock (its transaction is still open).
    let first = TenantTx::begin(&db, &tenant.schema_name).await.unwrap();
    assert!(repository::try_run_lock(&first).await.unwrap());
    let second = bill(&db, &tenant, "2026-11", false).await;
    assert!(
        matches!(second, Err(BillingError::RunInProgress)),
        "{second:?}"
    );
    assert_eq!(
        count(&db, &tenant, "SELECT count(*) FROM invoices").await,
        0
    );
    first.rollback().await.unwrap();
    // Once it ends, a run goes through.
    assert_eq!(
        bill(&db, &tenant, "2026-11", false)
            .await
            .unwrap()
            .issued
            .len(),
        1
    );
    delete_tenant(&db, &tenant.slug).await;
}

#[tokio::test]
async fn a_wrong_invoice_is_cancelled_by_a_credit_note_and_billed_again() {
    let db = db(2).await;
    let tenant = create_tenant_with_families(&db, "billavo", "Mairie de Facturation").await;
    let theo = child_id(&db, &tenant, "Théo").await;
    let alain = household_of(&db, &tenant, theo).await;
    book(&db, &tenant, theo, "repas", &[day(11, 2), day(11, 3)]).await;
    bill(&db, &tenant, "2026-11", false).await.unwrap();
    let wrong = invoices(&db, &tenant, alain).await[0].clone();

    let tx = TenantTx::begin(&db, &tenant.schema_name).await.unwrap();
    let config = portail::portal::repository::tenant_config(&tx)
        .await
        .unwrap();
    let number = credit_note::cancel(&tx, &config, wrong.id, issue_instant(), "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(number, "AVO-2026-000001");

    let tx = TenantTx::begin(&db, &tenant.schema_name).await.unwrap();
    let again = credit_note::cancel(&tx, &config, wrong.id, issue_instant(), "test").await;
    tx.rollback().await.unwrap();
    assert!(
        matches!(again, Err(BillingError::AlreadyCancelled)),
        "{again:?}"
    );

    let found = invoices(&db, &tenant, alain).await;
    assert_eq!(
        found.len(),
        1,
        "the credit note is not listed as an invoice"
    );
    assert_eq!(
        portail::billing::Status::of(&found[0]),
        portail::billing::Status::Cancelled
    );
    assert_eq!(
        found[0].credit_note_number.as_deref(),
        Some("AVO-2026-000001")
    );
    assert_eq!(
        count(&db, &tenant, "SELECT count(*) FROM invoices").await,
        2,
        "never deleted"
    );

    // The month can be billed again, under the next number.
    book(&db, &tenant, theo, "repas", &[day(11, 5)]).await;
    let report = bill(&db, &tenant, "2026-11", false).await.unwrap();
    assert_eq!(report.issued.len(), 1);
    assert_eq!(report.issued[0].number, "FAC-2026-000002");
    assert_eq!(report.issued[0].amount_cents, 3 * 250);
    delete_tenant(&db, &tenant.slug).await;
}

#[tokio::test]
async fn the_pdf_holds_what_a_household_needs_to_check_and_pay_its_invoice() {
    let db = db(2).await;
    let tenant = create_tenant_with_families(&db, "billpdf", "Mairie de Facturation").await;
    let theo = child_id(&db, &tenant, "Théo").await;
    let alain = household_of(&db, &tenant, theo).await;
    book(
        &db,
        &tenant,
        theo,
        "repas",
        &[day(11, 2), day(11, 3), day(11, 5)],
    )
    .await;
    bill(&db, &tenant, "2026-11", false).await.unwrap();
    let invoice = invoices(&db, &tenant, alain).await[0].clone();
    let tx = TenantTx::begin(&db, &tenant.schema_name).await.unwrap();
    let (_, bytes) = repository::pdf(&tx, invoice.id, Some(alain))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&bytes);
    for expected in [
        "Mairie de Facturation",
        "Régie enfance de Démonstration",
        "1 place de la mairie",
        "22300 Lannion",
        "Paul ALAIN, Sophie ALAIN",
        "12 rue des Écoles",
        "Facture FAC-2026-000001",
        "Période : novembre 2026",
        "Émise le 30/11/2026",
        "À payer avant le 30/12/2026",
        "Repas enfant — Théo ALAIN : 3 jours en novembre 2026",
        "2,50 €",
        "7,50 €",
        "Déjà payé",
        "Avis des sommes à payer.",
        "identifiant collectivité 123456",
        "exercice 2026",
        "référence FAC2026000001",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    delete_tenant(&db, &tenant.slug).await;
}

#[tokio::test]
async fn mes_factures_and_the_api_show_the_household_s_invoices_and_no_one_else_s() {
    let db = db(2).await;
    let tenant = create_tenant_with_families(&db, "billweb", "Mairie de Facturation").await;
    let other = create_tenant_with_families(&db, "billweb2", "Mairie Voisine").await;
    let theo = child_id(&db, &tenant, "Théo").await;
    let erwan = child_id(&db, &tenant, "Erwan").await;
    book(&db, &tenant, theo, "repas", &[day(11, 2), day(11, 3)]).await;
    book(&db, &tenant, erwan, "repas", &[day(11, 2)]).await;
    bill(&db, &tenant, "2026-11", false).await.unwrap();
    let legall = household_of(&db, &tenant, erwan).await;
    let erwan_invoice = invoices(&db, &tenant, legall).await[0].id;

    let app = TestApp::spawn().await;
    let paul = signed_in(&app, &db, &tenant, PAUL, GOOD).await;
    let base = format!("{}/{}", app.base, tenant.slug);

    let page = paul.get(format!("{base}/factures")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Mes factures"));
    assert!(html.contains("FAC-2026-000001"));
    assert!(
        !html.contains("FAC-2026-000002"),
        "another household's invoice"
    );
    assert!(html.contains("À payer"));
    assert!(html.contains("5,00"));
    assert!(html.contains("target=\"_blank\""));

    let api: Value = paul
        .get(format!("{base}/api/v1/invoices"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = api["invoices"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let mine = &list[0];
    assert_eq!(mine["number"], "FAC-2026-000001");
    assert_eq!(mine["period"], "2026-11");
    assert_eq!(mine["issued_on"], "2026-11-30");
    assert_eq!(mine["due_on"], "2026-12-30");
    assert_eq!(mine["amount_cents"], 500);
    assert_eq!(mine["paid_cents"], 0);
    assert_eq!(mine["status"], "unpaid");
    assert_eq!(mine["lines"][0]["prestation"], "repas");
    assert_eq!(mine["lines"][0]["days"], 2);
    assert_eq!(mine["lines"][0]["unit_price_cents"], 250);
    assert_eq!(mine["lines"][0]["child_id"], theo.to_string());
    let id = mine["id"].as_str().unwrap();

    for path in [
        format!("{base}/factures/{id}/pdf"),
        format!("{base}/api/v1/invoices/{id}/pdf"),
    ] {
        let r = paul.get(&path).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert_eq!(
            r.headers()["content-disposition"],
            "inline; filename=\"FAC-2026-000001.pdf\""
        );
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    }
    // Another household's invoice: not found, on the page and in the API.
    for path in [
        format!("{base}/factures/{erwan_invoice}/pdf"),
        format!("{base}/api/v1/invoices/{erwan_invoice}/pdf"),
    ] {
        assert_eq!(
            paul.get(&path).send().await.unwrap().status(),
            404,
            "{path}"
        );
    }
    // Another municipality's guardian asking for this one's invoice: not found either.
    let maiwenn = signed_in(&app, &db, &other, MAIWENN, GOOD).await;
    let r = maiwenn
        .get(format!(
            "{}/{}/api/v1/invoices/{erwan_invoice}/pdf",
            app.base, other.slug
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Signed out: the page asks to sign in, the API answers 401.
    let anonymous = app.other_client();
    let r = anonymous
        .get(format!("{base}/api/v1/invoices"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    delete_tenant(&db, &tenant.slug).await;
    delete_tenant(&db, &other.slug).await;
}

#[tokio::test]
async fn the_cli_runs_a_month_as_json_and_refuses_a_bad_month() {
    let db = db(2).await;
    let tenant = create_tenant_with_families(&db, "billcli", "Mairie de Facturation").await;
    let theo = child_id(&db, &tenant, "Théo").await;
    let alain = household_of(&db, &tenant, theo).await;
    book(&db, &tenant, theo, "repas", &[day(11, 2)]).await;

    let bad = portail(&["billing", "run", &tenant.slug, "--month", "2026-13"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("YYYY-MM"), "{}", stderr(&bad));

    let dry = portail(&[
        "billing",
        "run",
        &tenant.slug,
        "--month",
        "2026-11",
        "--dry-run",
    ]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("1 invoice(s) would be issued"),
        "{}",
        stdout(&dry)
    );

    let out = portail(&[
        "billing",
        "run",
        &tenant.slug,
        "--month",
        "2026-11",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["month"], "2026-11");
    assert_eq!(json["skipped"], 0);
    assert_eq!(json["issued"][0]["household_id"], alain.to_string());
    assert_eq!(json["issued"][0]["amount_cents"], 250);
    let number = json["issued"][0]["number"].as_str().unwrap().to_string();
    assert!(
        number.starts_with("FAC-") && number.ends_with("-000001"),
        "{number}"
    );

    let again = portail(&[
        "billing",
        "run",
        &tenant.slug,
        "--month",
        "2026-11",
        "--json",
    ]);
    let json: Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(json["issued"].as_array().unwrap().len(), 0);
    assert_eq!(json["skipped"], 1);

    let cancel = portail(&["billing", "cancel", &tenant.slug, &number]);
    assert!(cancel.status.success(), "{}", stderr(&cancel));
    assert!(stdout(&cancel).contains("AVO-"), "{}", stdout(&cancel));
    delete_tenant(&db, &tenant.slug).await;
}

#[tokio::test]
async fn the_regisseur_runs_a_month_and_cancels_an_invoice_from_the_back_office() {
    use chrono::TimeZone as _;
    let db = db(2).await;
    let tenant = create_tenant_with_families(&db, "billstaff", "Mairie de Facturation").await;
    let theo = child_id(&db, &tenant, "Théo").await;
    book(&db, &tenant, theo, "repas", &[day(11, 2), day(11, 3)]).await;
    let now = chrono_tz::Europe::Paris
        .with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let app = TestApp::spawn_with_clock(
        test_settings(),
        std::sync::Arc::new(portail::clock::ManualClock::new(now)),
    )
    .await;
    let base = format!("{}/{}/gestion", app.base, tenant.slug);
    // A gestionnaire may not bill.
    let gestionnaire = staff::staff_signed_in(
        &app,
        &db,
        &tenant,
        "gestion@mairie.example",
        "Agent TEST",
        "gestionnaire",
        now,
    )
    .await;
    let r = gestionnaire
        .get(format!("{base}/facturation"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let regisseur = staff::staff_signed_in(
        &app,
        &db,
        &tenant,
        "regie@mairie.example",
        "Agent TEST",
        "regisseur",
        now,
    )
    .await;
    let page = regisseur
        .get(format!("{base}/facturation"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("value=\"2026-11\""),
        "the current month is proposed"
    );
    let csrf = csrf_of(&html);

    let preview = regisseur
        .post(format!("{base}/facturation"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("month", "2026-11"),
            ("dry_run", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), 200);
    assert!(
        preview
            .text()
            .await
            .unwrap()
            .contains("1 facture serait émise")
    );
    assert_eq!(
        count(&db, &tenant, "SELECT count(*) FROM invoices").await,
        0
    );

    let bad = regisseur
        .post(format!("{base}/facturation"))
        .form(&[("csrf", csrf.as_str()), ("month", "novembre")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("AAAA-MM"));

    let run = regisseur
        .post(format!("{base}/facturation"))
        .form(&[("csrf", csrf.as_str()), ("month", "2026-11")])
        .send()
        .await
        .unwrap();
    assert_eq!(run.status(), 200);
    let html = run.text().await.unwrap();
    assert!(html.contains("1 facture émise"), "{html}");
    assert!(html.contains("FAC-2026-000001"));
    let invoice_id: String = html
        .split("name=\"invoice_id\" value=\"")
        .nth(1)
        .unwrap()
        .chars()
        .take(36)
        .collect();
    let pdf = regisseur
        .get(format!("{base}/factures/{invoice_id}/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");

    let cancelled = regisseur
        .post(format!("{base}/facturation/annuler"))
        .form(&[("csrf", csrf.as_str()), ("invoice_id", invoice_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 303);
    let location = cancelled.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    let page = regisseur
        .get(format!("{}{location}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("avoir AVO-2026-000001 a été émis"), "{page}");
    let again = regisseur
        .post(format!("{base}/facturation/annuler"))
        .form(&[("csrf", csrf.as_str()), ("invoice_id", invoice_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    delete_tenant(&db, &tenant.slug).await;
}
