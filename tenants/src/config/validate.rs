//! Rules a parsed configuration must follow beyond its shape. Every problem is reported, not
//! only the first, each as `key.path: reason`.

use super::{Deadline, TenantConfig};
use crate::values::{is_email, is_french_phone, is_postal_code};
use std::collections::HashSet;

const MAX_TEXT: usize = 20_000;

pub fn check(config: &TenantConfig) -> Vec<String> {
    let mut errors = Vec::new();
    let mut err = |path: String, reason: &str| errors.push(format!("{path}: {reason}"));

    required(&mut err, "name", &config.name);
    let c = &config.contact;
    required(&mut err, "contact.address", &c.address);
    required(&mut err, "contact.city", &c.city);
    if !is_postal_code(&c.postal_code) {
        err(
            "contact.postal_code".into(),
            &format!("{:?} is not a postal code (5 digits)", c.postal_code),
        );
    }
    if !is_french_phone(&c.phone) {
        err(
            "contact.phone".into(),
            &format!("{:?} is not a phone number", c.phone),
        );
    }
    if !is_email(&c.email) {
        err(
            "contact.email".into(),
            &format!("{:?} is not an e-mail address", c.email),
        );
    }

    let p = &config.portal;
    required(&mut err, "portal.welcome_title", &p.welcome_title);
    for (key, text) in [
        ("portal.welcome_text", &p.welcome_text),
        ("portal.reservation_notice", &p.reservation_notice),
    ] {
        if text.len() > MAX_TEXT {
            err(key.into(), &format!("is longer than {MAX_TEXT} characters"));
        }
    }

    if p.locales.is_empty() {
        err("portal.locales".into(), "must name at least one language");
    }
    for (i, l) in p.locales.iter().enumerate() {
        if p.locales[..i].contains(l) {
            err(
                format!("portal.locales[{i}]"),
                &format!("{:?} is listed twice", l.code()),
            );
        }
    }

    let mut codes = HashSet::new();
    for (i, s) in config.services.iter().enumerate() {
        code(
            &mut err,
            &format!("services[{i}].code"),
            &s.code,
            &mut codes,
        );
        required(&mut err, &format!("services[{i}].name"), &s.name);
        if !is_email(&s.email) {
            err(
                format!("services[{i}].email"),
                &format!("{:?} is not an e-mail address", s.email),
            );
        }
    }

    let mut rubriques = HashSet::new();
    for (i, r) in config.rubriques.iter().enumerate() {
        code(
            &mut err,
            &format!("rubriques[{i}].code"),
            &r.code,
            &mut rubriques,
        );
        required(&mut err, &format!("rubriques[{i}].name"), &r.name);
    }

    let mut criteria = HashSet::new();
    for (i, label) in config.criteria.iter().enumerate() {
        required(&mut err, &format!("criteria[{i}]"), label);
        if !criteria.insert(label.trim().to_lowercase()) {
            err(
                format!("criteria[{i}]"),
                &format!("{label:?} is listed twice"),
            );
        }
    }

    let mut structures = HashSet::new();
    for (i, s) in config.structures.iter().enumerate() {
        code(
            &mut err,
            &format!("structures[{i}].code"),
            &s.code,
            &mut structures,
        );
        required(&mut err, &format!("structures[{i}].name"), &s.name);
    }

    let mut prestations = HashSet::new();
    for (i, p) in config.prestations.iter().enumerate() {
        let at = |key: &str| format!("prestations[{i}].{key}");
        code(&mut err, &at("code"), &p.code, &mut prestations);
        required(&mut err, &at("name"), &p.name);
        if !config.structures.iter().any(|s| s.code == p.structure) {
            err(
                at("structure"),
                &format!("{:?} is not the code of a structure", p.structure),
            );
        }
        if p.days.is_empty() {
            err(at("days"), "must name at least one weekday");
        }
        let unique: HashSet<_> = p.days.iter().collect();
        if unique.len() != p.days.len() {
            err(at("days"), "names a weekday twice");
        }
        deadline(&mut err, &at("deadline"), &p.deadline);
        if let Some(d) = &p.cancel_deadline {
            deadline(&mut err, &at("cancel_deadline"), d);
        }
        if p.capacity == Some(0) {
            err(
                at("capacity"),
                "must be at least 1 (leave it out for no limit)",
            );
        }
        let mut previous = None;
        for (j, t) in p.tariffs.iter().enumerate() {
            if previous.is_some_and(|q| t.qf_max <= q) {
                err(
                    at(&format!("tariffs[{j}].qf_max")),
                    "tariffs must be in ascending qf_max order, each band once",
                );
            }
            previous = Some(t.qf_max);
        }
    }

    let mut authorizations = HashSet::new();
    for (i, a) in config.authorizations.iter().enumerate() {
        code(
            &mut err,
            &format!("authorizations[{i}].code"),
            &a.code,
            &mut authorizations,
        );
        required(&mut err, &format!("authorizations[{i}].label"), &a.label);
    }

    for (i, c) in config.closures.iter().enumerate() {
        if c.to < c.from {
            err(
                format!("closures[{i}].to"),
                &format!("{} is before from ({})", c.to, c.from),
            );
        }
        required(&mut err, &format!("closures[{i}].label"), &c.label);
    }

    if let Some(o) = &config.oidc {
        let local =
            o.issuer.starts_with("http://127.0.0.1") || o.issuer.starts_with("http://localhost");
        if !(o.issuer.starts_with("https://") || local) {
            err("oidc.issuer".into(), "must be an https:// address");
        }
        required(&mut err, "oidc.client_id", &o.client_id);
        required(&mut err, "oidc.label", &o.label);
        let env_name = !o.client_secret_env.is_empty()
            && o.client_secret_env
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !env_name {
            err(
                "oidc.client_secret_env".into(),
                "must be the name of an environment variable (A-Z, 0-9, _)",
            );
        } else if !o.client_secret_env.starts_with("OIDC_") {
            // Any other variable (DATABASE_URL…) would be sent to the provider as the secret.
            err(
                "oidc.client_secret_env".into(),
                "must be a variable named OIDC_<SLUG>_… (e.g. OIDC_LANNION_SECRET)",
            );
        }
    }
    if let Some(b) = &config.billing {
        required(&mut err, "billing.regie", &b.regie);
        if !(1..=90).contains(&b.payment_due_days) {
            err(
                "billing.payment_due_days".into(),
                "must be between 1 and 90",
            );
        }
        let prefix_ok = (1..=10).contains(&b.invoice_prefix.len())
            && b.invoice_prefix.bytes().all(|c| c.is_ascii_uppercase());
        if !prefix_ok {
            err(
                "billing.invoice_prefix".into(),
                &format!(
                    "{:?} is not a prefix (1 to 10 letters A-Z)",
                    b.invoice_prefix
                ),
            );
        } else if b.invoice_prefix == "AVO" {
            // Credit notes are numbered AVO-…: invoices must never share their series.
            err(
                "billing.invoice_prefix".into(),
                "\"AVO\" is the prefix of credit notes",
            );
        }
        if b.legal_mentions.len() > 2000 {
            err(
                "billing.legal_mentions".into(),
                "is longer than 2000 characters",
            );
        }
    }
    if let Some(p) = &config.payfip {
        if p.numcli.len() != 6 || !p.numcli.bytes().all(|c| c.is_ascii_digit()) {
            err(
                "payfip.numcli".into(),
                &format!("{:?} is not a PayFiP client number (6 digits)", p.numcli),
            );
        }
        if config.billing.is_none() {
            err("payfip".into(), "needs a [billing] section");
        }
    }
    errors
}

fn required(err: &mut impl FnMut(String, &str), path: &str, value: &str) {
    if value.trim().is_empty() {
        err(path.to_string(), "must not be empty");
    } else if value.len() > 200 {
        err(path.to_string(), "is longer than 200 characters");
    }
}

/// Codes appear in URLs and in the families' import file: short, lowercase, no spaces.
fn code(err: &mut impl FnMut(String, &str), path: &str, value: &str, seen: &mut HashSet<String>) {
    let valid = (1..=40).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !valid {
        err(
            path.to_string(),
            &format!("{value:?} is not a code (1 to 40 characters a-z, 0-9, - or _)"),
        );
    } else if !seen.insert(value.to_string()) {
        err(path.to_string(), &format!("{value:?} is used twice"));
    }
}

fn deadline(err: &mut impl FnMut(String, &str), path: &str, d: &Deadline) {
    if let Deadline::DaysBefore { days, .. } = d
        && *days > 60
    {
        err(format!("{path}.days"), "must be at most 60");
    }
}
