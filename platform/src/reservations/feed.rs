//! The household's calendar feed: "Ajouter à mon agenda".
//!
//! - `/{slug}/calendrier` shows the private subscription address
//!   `{PUBLIC_URL}/{slug}/calendrier/{token}.ics` and how to subscribe from a phone. The token
//!   is 256 random bits; only its SHA-256 is kept (`calendar_feeds`), so the address can be
//!   shown only when it is made: on the first visit, or by "Renouveler l'adresse" (a POST with
//!   the CSRF token), which replaces it; the old address then answers 404.
//! - `/{slug}/calendrier/{token}.ics` needs no session (calendar apps have none): an RFC 5545
//!   calendar with one all-day event per booked day per child, for the token's household only.
//!   Unknown, malformed or replaced tokens answer 404.

use super::history::when_fr;
use crate::auth::tokens::{new_token, token_hash, well_formed};
use crate::http::errors::{Failure, PageError};
use crate::http::page::{Frame, NoFields, SignedInForm, SignedInPage};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::{DateTime, NaiveDate, Utc};
use poem::http::HeaderValue;
use poem::web::{Data, Path};
use poem::{Response, handler};
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use std::sync::Arc;
use uuid::Uuid;

// --- Storage -------------------------------------------------------------------------------

/// Makes or replaces the household's token: an old address stops working at once.
async fn replace(
    tx: &TenantTx,
    household: Uuid,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tx.run("INSERT INTO calendar_feeds (household_id, token_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (household_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at",
        [household.into(), hash.into(), now.into()])
    .await?;
    Ok(())
}

async fn created_at(tx: &TenantTx, household: Uuid) -> Result<Option<DateTime<Utc>>, DbErr> {
    tx.query_one_raw(sql(
        "SELECT created_at FROM calendar_feeds WHERE household_id = $1",
        [household.into()],
    ))
    .await?
    .map(|r| r.try_get::<DateTime<Utc>>("", "created_at"))
    .transpose()
}

async fn household_of(tx: &TenantTx, hash: &str) -> Result<Option<Uuid>, DbErr> {
    tx.query_one_raw(sql(
        "SELECT household_id FROM calendar_feeds WHERE token_hash = $1",
        [hash.into()],
    ))
    .await?
    .map(|r| r.try_get::<Uuid>("", "household_id"))
    .transpose()
}

/// One booked day of one child.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Entry {
    pub child_id: Uuid,
    pub child: String,
    pub prestation_code: String,
    pub prestation: String,
    pub day: NaiveDate,
    pub created_at: DateTime<Utc>,
}

async fn entries(tx: &TenantTx, household: Uuid) -> Result<Vec<Entry>, DbErr> {
    tx.all("SELECT r.child_id, c.first_name AS child, r.prestation_code, coalesce(p.name, r.prestation_code) AS prestation,
                r.day, r.created_at
         FROM reservations r
         JOIN children c ON c.id = r.child_id
         LEFT JOIN prestations p ON p.code = r.prestation_code
         WHERE c.household_id = $1
         ORDER BY r.day, c.birth_date, c.first_name, r.prestation_code",
        [household.into()]).await
}

// --- RFC 5545 ------------------------------------------------------------------------------

/// Escapes a TEXT value (RFC 5545, 3.3.11): backslash, semicolon, comma, line breaks.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded so that no line exceeds 75 octets (RFC 5545, 3.1): a
/// continuation starts with one space, and a UTF-8 character is never split.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
    out
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The whole calendar: `name` titles it, `domain` ends the events' UIDs, which are stable
/// per child, prestation and day, so an agenda updates its events rather than duplicating
/// them.
pub fn calendar(name: &str, domain: &str, entries: &[Entry]) -> String {
    let mut out = String::new();
    let mut line = |l: String| out.push_str(&fold(&l));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Portail Famille//Reservations//FR".into());
    line("CALSCALE:GREGORIAN".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    line("X-WR-TIMEZONE:Europe/Paris".into());
    line("REFRESH-INTERVAL;VALUE=DURATION:PT6H".into());
    line("X-PUBLISHED-TTL:PT6H".into());
    for e in entries {
        let next = e.day.succ_opt().unwrap_or(e.day);
        line("BEGIN:VEVENT".into());
        line(format!(
            "UID:{}",
            escape(&format!(
                "{}-{}-{}@{domain}",
                e.child_id,
                e.prestation_code,
                date(e.day)
            ))
        ));
        line(format!("DTSTAMP:{}", stamp(e.created_at)));
        line(format!("DTSTART;VALUE=DATE:{}", date(e.day)));
        line(format!("DTEND;VALUE=DATE:{}", date(next)));
        line(format!(
            "SUMMARY:{}",
            escape(&format!("{} – {}", e.prestation, e.child))
        ));
        line("TRANSP:TRANSPARENT".into());
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

/// The host of the public URL, for the UIDs.
fn domain(public_url: &str) -> String {
    let rest = public_url.split("://").nth(1).unwrap_or(public_url);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    if host.is_empty() {
        "portail-famille".into()
    } else {
        host.to_string()
    }
}

// --- Pages ---------------------------------------------------------------------------------

fn no_referrer(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}

fn feed_url(state: &AppState, slug: &str, token: &str) -> String {
    format!(
        "{}/{slug}/calendrier/{token}.ics",
        state.settings.public_url.trim_end_matches('/')
    )
}

/// "Ajouter à mon agenda".
#[derive(serde::Serialize)]
pub struct CalendarPage {
    /// The feed's address, shown only right after it is made (only its hash is kept).
    pub url: Option<String>,
    /// The same address for calendar applications (`webcal://`).
    pub webcal: Option<String>,
    /// When the current address was made, "01/12/2026 à 10:00".
    pub created: Option<String>,
    /// An older address was just replaced.
    pub renewed: bool,
    pub grid: String,
}

fn render(
    state: &AppState,
    frame: &Frame,
    token: Option<&str>,
    created: Option<DateTime<Utc>>,
    renewed: bool,
) -> Response {
    let url = token.map(|t| feed_url(state, &frame.slug, t));
    let webcal = url.as_ref().map(|u| {
        let rest = u.split_once("://").map_or(u.as_str(), |(_, r)| r);
        format!("webcal://{rest}")
    });
    let model = CalendarPage {
        url,
        webcal,
        created: created.map(when_fr),
        renewed,
        grid: format!("/{}/reservations", frame.slug),
    };
    no_referrer(frame.render("calendrier", "Ajouter à mon agenda", "reservations", model))
}

/// When the household's feed address was made, if it was.
async fn feed_created(
    state: &AppState,
    tenant: &CurrentTenant,
    household: Uuid,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    let tx = tenant.begin(state).await?;
    let created = created_at(&tx, household).await?;
    tx.commit().await?;
    Ok(created)
}

/// Replaces the household's feed token; whether one existed before.
async fn renew_feed(
    state: &AppState,
    tenant: &CurrentTenant,
    household: Uuid,
    token: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let tx = tenant.begin(state).await?;
    let existed = created_at(&tx, household).await?.is_some();
    replace(&tx, household, &token_hash(token), now).await?;
    tx.commit().await?;
    Ok(existed)
}

/// The entries of the feed this token opens, if it opens one.
async fn feed_entries(
    state: &AppState,
    tenant: &CurrentTenant,
    token: &str,
) -> Result<Option<Vec<Entry>>, DbErr> {
    let tx = tenant.begin(state).await?;
    let Some(household) = household_of(&tx, &token_hash(token)).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    let entries = entries(&tx, household).await?;
    tx.commit().await?;
    Ok(Some(entries))
}

/// The page: the address is shown when it is made (a POST, never a GET); afterwards only its
/// date is known, and renewing shows a new one.
#[handler]
pub async fn page(ctx: SignedInPage<'_>) -> Result<Response, PageError> {
    let (state, tenant, frame, signed) = ctx.parts();
    let created = feed_created(state, tenant, signed.household_id).await?;
    Ok(render(state, &frame, None, created, false))
}

/// "Renouveler l'adresse": a new token replaces the old one, shown on the page answered.
#[handler]
pub async fn renew(ctx: SignedInForm<'_, NoFields>) -> Result<Response, PageError> {
    let (state, tenant, frame, signed, _) = ctx.parts();
    let now = state.clock.now();
    let token = new_token();
    let existed = renew_feed(state, tenant, signed.household_id, &token, now).await?;
    Ok(render(state, &frame, Some(&token), Some(now), existed))
}

/// `GET /{slug}/calendrier/{token}.ics`, without a session.
#[handler]
pub async fn ics(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Path((_slug, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let not_found = || PageError::from(Failure::NotFound);
    let token = file.strip_suffix(".ics").ok_or_else(not_found)?;
    if !well_formed(token) {
        return Err(not_found());
    }
    let entries = feed_entries(state, tenant, token)
        .await?
        .ok_or_else(not_found)?;
    let name = format!("Réservations – {}", tenant.0.name);
    let body = calendar(&name, &domain(&state.settings.public_url), &entries);
    let response = Response::builder()
        .content_type("text/calendar; charset=utf-8")
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        .body(body);
    Ok(response)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_calendar_page_shows_a_new_address_once_and_its_date_after() {
        let fresh = super::CalendarPage {
            url: Some("http://portail.test/demo/calendrier/jeton.ics".into()),
            webcal: Some("webcal://portail.test/demo/calendrier/jeton.ics".into()),
            created: None,
            renewed: true,
            grid: "/demo/reservations".into(),
        };
        let html = crate::http::page::render_sample("calendrier", &fresh).await;
        assert!(html.contains("value=\"http://portail.test/demo/calendrier/jeton.ics\""));
        assert!(html.contains("href=\"webcal://portail.test/demo/calendrier/jeton.ics\""));
        let later = super::CalendarPage {
            url: None,
            webcal: None,
            created: Some("01/12/2026 à 10:00".into()),
            renewed: false,
            grid: "/demo/reservations".into(),
        };
        let html = crate::http::page::render_sample("calendrier", &later).await;
        assert!(html.contains("01/12/2026 à 10:00") && !html.contains("jeton"));
    }

    use super::*;
    use chrono::TimeZone;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
        assert_eq!(escape("Repas enfant – Théo"), "Repas enfant – Théo");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        assert_eq!(fold("VERSION:2.0"), "VERSION:2.0\r\n");
        let line = format!("SUMMARY:{}", "é".repeat(100));
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        let physical: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 1);
        for (i, l) in physical.iter().enumerate() {
            assert!(l.len() <= 75, "line {i} is {} octets", l.len());
            if i > 0 {
                assert!(l.starts_with(' '));
            }
        }
        // Unfolding (RFC 5545: remove each CRLF followed by one space) gives the line back.
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        // Exactly 75 octets: not folded; 76: folded once.
        assert_eq!(fold(&"a".repeat(75)), format!("{}\r\n", "a".repeat(75)));
        assert_eq!(
            fold(&"a".repeat(76)),
            format!("{}\r\n a\r\n", "a".repeat(75))
        );
    }

    #[test]
    fn a_calendar_has_one_all_day_event_per_booked_day() {
        let child = Uuid::parse_str("6f1c9a36-0d1e-4a57-9f4b-0c0b5c0e1a01").unwrap();
        let entry = |day: NaiveDate| Entry {
            child_id: child,
            child: "Théo".into(),
            prestation_code: "repas".into(),
            prestation: "Repas enfant".into(),
            day,
            created_at: Utc.with_ymd_and_hms(2026, 11, 26, 9, 15, 0).unwrap(),
        };
        let text = calendar(
            "Réservations – Mairie de Démonstration, Lannion; centre",
            "famille.mairie-de-demonstration.example.fr",
            &[
                entry(NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()),
                entry(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()),
            ],
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
        assert!(text.contains(
            "X-WR-CALNAME:Réservations – Mairie de Démonstration\\, Lannion\\; centre\r\n"
        ));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
        assert!(text.contains("DTSTART;VALUE=DATE:20270104\r\nDTEND;VALUE=DATE:20270105\r\n"));
        // The end of a month rolls over.
        assert!(text.contains("DTSTART;VALUE=DATE:20270131\r\nDTEND;VALUE=DATE:20270201\r\n"));
        assert!(text.contains("SUMMARY:Repas enfant – Théo\r\n"));
        assert!(text.contains("DTSTAMP:20261126T091500Z\r\n"));
        // The UID is longer than 75 octets: folded, and stable.
        assert!(!text.contains(&format!(
            "UID:{child}-repas-20270104@famille.mairie-de-demonstration.example.fr\r\n"
        )));
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!(
            "UID:{child}-repas-20270104@famille.mairie-de-demonstration.example.fr\r\n"
        )));
        for l in text.split("\r\n") {
            assert!(l.len() <= 75);
        }
    }

    #[test]
    fn uid_domain_is_the_public_host() {
        assert_eq!(domain("https://famille.example.fr"), "famille.example.fr");
        assert_eq!(domain("http://127.0.0.1:8080/"), "127.0.0.1");
        assert_eq!(domain(""), "portail-famille");
    }
}
