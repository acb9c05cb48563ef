//! The PDF of an invoice or a credit note: what a household needs to check it and to pay it,
//! on payfip.gouv.fr too, without the portal. Rendered once, at issue, and stored.

use super::money::euros;
use super::month::Month;
use super::pdf_writer::{Document, PAGE_HEIGHT, PAGE_WIDTH, Weight, wrap};
use super::repository::{HouseholdRow, LineRow};
use crate::i18n::{t, t_args};
use chrono::{Datelike, NaiveDate};
use portail_tenants::TenantConfig;

/// Everything printed on an invoice.
pub struct PdfInvoice {
    pub config: TenantConfig,
    pub number: String,
    /// For a credit note: the number of the invoice it cancels.
    pub credit_note_of: Option<String>,
    pub household: HouseholdRow,
    pub period: Month,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub lines: Vec<LineRow>,
    pub paid_cents: i64,
}

/// PayFiP's reference of a debt: the invoice number without its dashes (`FAC2026000042`),
/// which fits `^[A-Za-z0-9]{1,30}$`.
pub fn refdet(number: &str) -> String {
    number.chars().filter(char::is_ascii_alphanumeric).collect()
}

const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_WIDTH - 50.0;
const BOTTOM: f32 = 70.0;

fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Draws the invoice, in the current locale (the billing run asks for French).
pub fn render(i: &PdfInvoice) -> Vec<u8> {
    let c = &i.config;
    let billing = c.billing.as_ref();
    let title = match &i.credit_note_of {
        None => t_args(
            "billing-pdf-invoice-title",
            &[("number", i.number.clone().into())],
        ),
        Some(_) => t_args(
            "billing-pdf-credit-note-title",
            &[("number", i.number.clone().into())],
        ),
    };
    let mut doc = Document::new(&title);
    let mut y = PAGE_HEIGHT - 60.0;

    // The municipality and its régie, top left; the household, top right.
    doc.text(LEFT, y, 13.0, Weight::Bold, &c.name);
    if let Some(b) = billing {
        doc.text(LEFT, y - 16.0, 10.0, Weight::Regular, &b.regie);
    }
    doc.text(LEFT, y - 30.0, 10.0, Weight::Regular, &c.contact.address);
    doc.text(
        LEFT,
        y - 44.0,
        10.0,
        Weight::Regular,
        &format!("{} {}", c.contact.postal_code, c.contact.city),
    );
    doc.text(
        LEFT,
        y - 58.0,
        10.0,
        Weight::Regular,
        &format!("{} · {}", c.contact.phone, c.contact.email),
    );
    let names = i.household.names.as_deref();
    let h = &i.household.household;
    let x = 330.0;
    doc.text(x, y, 11.0, Weight::Bold, names.unwrap_or(&h.reference));
    doc.text(x, y - 16.0, 10.0, Weight::Regular, &h.address);
    doc.text(
        x,
        y - 30.0,
        10.0,
        Weight::Regular,
        &format!("{} {}", h.postal_code, h.city),
    );
    doc.text(
        x,
        y - 44.0,
        10.0,
        Weight::Regular,
        &t_args(
            "billing-pdf-household",
            &[("reference", h.reference.clone().into())],
        ),
    );

    y -= 110.0;
    doc.text(LEFT, y, 16.0, Weight::Bold, &title);
    y -= 20.0;
    if let Some(of) = &i.credit_note_of {
        doc.text(
            LEFT,
            y,
            10.0,
            Weight::Regular,
            &t_args("billing-pdf-cancels", &[("number", of.clone().into())]),
        );
        y -= 14.0;
    }
    for text in [
        t_args("billing-pdf-period", &[("period", i.period.label().into())]),
        t_args("billing-pdf-issued", &[("date", date(i.issued_on).into())]),
        t_args("billing-pdf-due", &[("date", date(i.due_on).into())]),
    ] {
        doc.text(LEFT, y, 10.0, Weight::Regular, &text);
        y -= 14.0;
    }

    // The lines.
    y -= 14.0;
    let (days_x, unit_x) = (RIGHT - 160.0, RIGHT - 75.0);
    let header = |doc: &mut Document, y: f32| {
        doc.text(LEFT, y, 10.0, Weight::Bold, &t("billing-pdf-col-label"));
        doc.text_right(days_x, y, 10.0, Weight::Bold, &t("billing-pdf-col-days"));
        doc.text_right(unit_x, y, 10.0, Weight::Bold, &t("billing-pdf-col-unit"));
        doc.text_right(RIGHT, y, 10.0, Weight::Bold, &t("billing-pdf-col-amount"));
        doc.rule(LEFT, RIGHT, y - 5.0, 0.8);
    };
    header(&mut doc, y);
    y -= 20.0;
    for line in &i.lines {
        let wrapped = wrap(&line.label, days_x - LEFT - 30.0, 9.5, Weight::Regular);
        if y - 12.0 * (wrapped.len() as f32) < BOTTOM {
            doc.new_page();
            y = PAGE_HEIGHT - 60.0;
            header(&mut doc, y);
            y -= 20.0;
        }
        doc.text_right(days_x, y, 9.5, Weight::Regular, &line.days.to_string());
        doc.text_right(
            unit_x,
            y,
            9.5,
            Weight::Regular,
            &euros(line.unit_price_cents.into()),
        );
        doc.text_right(RIGHT, y, 9.5, Weight::Regular, &euros(line.amount_cents));
        for part in wrapped {
            doc.text(LEFT, y, 9.5, Weight::Regular, &part);
            y -= 12.0;
        }
        y -= 4.0;
    }
    doc.rule(LEFT, RIGHT, y + 8.0, 0.8);

    // Totals.
    let total: i64 = i.lines.iter().map(|l| l.amount_cents).sum();
    if y - 120.0 < BOTTOM {
        doc.new_page();
        y = PAGE_HEIGHT - 60.0;
    }
    y -= 10.0;
    let due = (total - i.paid_cents).max(0);
    for (key, amount, weight) in [
        ("billing-pdf-total", total, Weight::Bold),
        ("billing-pdf-paid", i.paid_cents, Weight::Regular),
        ("billing-pdf-to-pay", due, Weight::Bold),
    ] {
        if i.credit_note_of.is_some() && key != "billing-pdf-total" {
            continue;
        }
        doc.text_right(unit_x, y, 10.5, weight, &t(key));
        doc.text_right(RIGHT, y, 10.5, weight, &euros(amount));
        y -= 16.0;
    }

    // How to pay without the portal.
    if let (Some(p), None, true) = (&c.payfip, &i.credit_note_of, due > 0) {
        y -= 14.0;
        doc.text(LEFT, y, 10.5, Weight::Bold, &t("billing-pdf-payfip-title"));
        y -= 14.0;
        let text = t_args(
            "billing-pdf-payfip",
            &[
                ("numcli", p.numcli.clone().into()),
                ("exer", i.issued_on.year().to_string().into()),
                ("refdet", refdet(&i.number).into()),
                ("amount", euros(due).into()),
            ],
        );
        for part in wrap(&text, RIGHT - LEFT, 9.5, Weight::Regular) {
            doc.text(LEFT, y, 9.5, Weight::Regular, &part);
            y -= 12.0;
        }
    }

    // Legal mentions, at the foot.
    if let Some(b) = billing {
        y -= 14.0;
        for part in wrap(&b.legal_mentions, RIGHT - LEFT, 8.5, Weight::Regular) {
            if y < BOTTOM - 30.0 {
                doc.new_page();
                y = PAGE_HEIGHT - 60.0;
            }
            doc.text(LEFT, y, 8.5, Weight::Regular, &part);
            y -= 11.0;
        }
    }
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::repository::Household;

    /// An invoice of the demo municipality, as a file, with its fonts and text read back by
    /// poppler's `pdffonts` and `pdftotext`.
    #[test]
    fn the_invoice_embeds_its_font_and_its_text_extracts_with_accents_and_euros() {
        let config =
            TenantConfig::from_toml(include_str!("../../../tenants/examples/demo.toml")).unwrap();
        let invoice = PdfInvoice {
            config,
            number: "FAC-2026-000042".into(),
            credit_note_of: None,
            household: HouseholdRow {
                household: Household {
                    id: uuid::Uuid::nil(),
                    reference: "F0001".into(),
                    address: "12 rue des Écoles".into(),
                    postal_code: "22300".into(),
                    city: "Lannion".into(),
                    quotient_familial: Some(999),
                },
                names: Some("Paul ALAIN, Sophie ALAIN".into()),
                email: None,
            },
            period: Month::parse("2026-11").unwrap(),
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            due_on: NaiveDate::from_ymd_opt(2026, 12, 30).unwrap(),
            lines: vec![LineRow {
                child_id: None,
                prestation_code: "repas".into(),
                kind: "booked".into(),
                days: 2,
                unit_price_cents: 250,
                amount_cents: 500,
                label: "Repas enfant — Théo ALAIN".into(),
            }],
            paid_cents: 0,
        };
        let bytes = crate::i18n::sync_scope(crate::i18n::Locale::Fr, || render(&invoice));
        let path = std::env::temp_dir().join(format!("facture-{}.pdf", uuid::Uuid::new_v4()));
        std::fs::write(&path, &bytes).unwrap();
        let run = |tool: &str, args: &[&str]| {
            let out = std::process::Command::new(tool)
                .args(args)
                .arg(&path)
                .args(if tool == "pdftotext" {
                    &["-"][..]
                } else {
                    &[][..]
                })
                .output()
                .expect("poppler-utils is installed");
            assert!(out.status.success(), "{tool}");
            String::from_utf8(out.stdout).unwrap()
        };
        let fonts = run("pdffonts", &[]);
        let text = run("pdftotext", &["-layout"]);
        std::fs::remove_file(&path).unwrap();
        // name, type (2 words), encoding, emb, sub, uni, object: both faces embedded, subset,
        // with a Unicode map.
        for face in ["+DejaVuSans ", "+DejaVuSans-Bold "] {
            let line = fonts
                .lines()
                .find(|l| l.contains(face))
                .unwrap_or_else(|| panic!("{face} in {fonts}"));
            assert!(line.contains("CID TrueType"), "{line}");
            assert!(
                line.split_whitespace().skip(4).take(3).all(|w| w == "yes"),
                "embedded, subset, with ToUnicode: {line}"
            );
        }
        for expected in [
            "Régie enfance de Démonstration",
            "12 rue des Écoles",
            "Repas enfant — Théo ALAIN",
            "5,00 €",
            "FAC2026000042",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
    }

    #[test]
    fn the_payfip_reference_is_the_number_without_its_dashes() {
        assert_eq!(refdet("FAC-2026-000042"), "FAC2026000042");
    }
}
