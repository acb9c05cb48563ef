//! The configuration file of a municipality (TOML), its model and its validation.
//!
//! Ops write one file per municipality (see `tenants/examples/demo.toml`). Loading is strict:
//! an unknown key is an error, so a typo never silently drops a deadline. Every error names
//! the key path and the reason, e.g. `prestations[2].deadline.at: "25:00" is not a time`.
//! List indices in paths count from 0.

mod markdown;
mod time;
mod validate;

pub use markdown::render_markdown;
pub use time::{TimeOfDay, Weekday};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The whole configuration of one municipality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    /// Shown in the banner and the mails, e.g. "Mairie de Démonstration".
    pub name: String,
    /// The school holiday zone of the académie.
    pub holiday_zone: HolidayZone,
    pub contact: Contact,
    pub portal: Portal,
    /// Recipients of the messaging.
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub structures: Vec<Structure>,
    #[serde(default)]
    pub prestations: Vec<Prestation>,
    #[serde(default)]
    pub closures: Vec<Closure>,
    /// What parents authorise for each child; the four usual ones when absent.
    #[serde(default = "default_authorizations")]
    pub authorizations: Vec<AuthorizationKind>,
    /// The rubriques of the documents library ("Menus repas"…); `menus`, `activites` and
    /// `informations` when absent.
    #[serde(default = "default_rubriques")]
    pub rubriques: Vec<Rubrique>,
    /// The criteria staff may record for a household or a child (e.g. "Parent isolé"),
    /// which parents read on "Mon foyer"; none when absent.
    #[serde(default)]
    pub criteria: Vec<String>,
    /// Optional sign-in with an OpenID Connect provider (FranceConnect, the city's own…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<Oidc>,
    /// The régie that bills the prestations; no billing run without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<Billing>,
    /// Online payment over PayFiP; no PAYER button without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payfip: Option<Payfip>,
}

/// The régie and what its invoices say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Billing {
    /// Printed on every invoice, e.g. "Régie enfance de Démonstration".
    pub regie: String,
    /// Days between issue and due date.
    pub payment_due_days: u32,
    /// Uppercase letters, e.g. `FAC`: numbers read `FAC-2026-000042`.
    pub invoice_prefix: String,
    /// Printed at the foot of every invoice.
    pub legal_mentions: String,
}

/// The régie's PayFiP contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payfip {
    /// The régie's client number given by the DGFiP: 6 digits.
    pub numcli: String,
    pub saisie: Saisie,
}

/// PayFiP's mode: `T` test, `X` activation, `W` production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Saisie {
    T,
    X,
    W,
}

impl Saisie {
    pub fn as_str(&self) -> &'static str {
        match self {
            Saisie::T => "T",
            Saisie::X => "X",
            Saisie::W => "W",
        }
    }
}

/// How a prestation is paid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BillingMode {
    /// Billed monthly on the household's invoice.
    #[default]
    Invoice,
    /// Paid in advance in the cart.
    Prepaid,
}

/// Whether a day cancelled after its cancel deadline is billed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LateCancellation {
    /// Not billed.
    #[default]
    Free,
    /// Billed, with a line that says why.
    Billed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HolidayZone {
    A,
    B,
    C,
}

impl HolidayZone {
    pub fn as_str(&self) -> &'static str {
        match self {
            HolidayZone::A => "A",
            HolidayZone::B => "B",
            HolidayZone::C => "C",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Portal {
    pub welcome_title: String,
    /// Markdown; raw HTML in it is shown as text, never interpreted.
    pub welcome_text: String,
    pub reservation_notice: String,
    /// Children's records must be validated for the school year before booking.
    #[serde(default)]
    pub require_validated_records: bool,
    /// The languages parents may choose, French first by default; `["fr"]` keeps the portal
    /// French only (the language switch is then not shown).
    #[serde(default = "all_locales")]
    pub locales: Vec<crate::i18n::Locale>,
}

fn all_locales() -> Vec<crate::i18n::Locale> {
    crate::i18n::Locale::ALL.to_vec()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub code: String,
    pub name: String,
    /// Where the mail announcing each new message of a family goes.
    pub email: String,
    /// Whether that mail carries the message itself; `false` sends only the subject and a
    /// link to the back-office (the message then never leaves the portal).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub mail_content: bool,
    /// Whether a reply is signed with the agent's name besides the service's; by default only
    /// the service's name is shown to families.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sign_with_agent_name: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Structure {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prestation {
    pub code: String,
    pub name: String,
    /// Code of the structure that runs it.
    pub structure: String,
    pub days: Vec<Weekday>,
    pub periods: Periods,
    pub deadline: Deadline,
    /// Defaults to `deadline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_deadline: Option<Deadline>,
    /// Places per day; no limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Full price, charged when the quotient familial is unknown or above every band.
    pub price_cents: u32,
    /// Prices by quotient familial band, ascending `qf_max`.
    #[serde(default)]
    pub tariffs: Vec<Tariff>,
    /// Billed monthly (the default) or prepaid in the cart.
    #[serde(default)]
    pub billing: BillingMode,
    /// Whether late cancellations are billed (free by default).
    #[serde(default)]
    pub late_cancellation: LateCancellation,
}

impl Prestation {
    /// The price of a day for a household: the band with the lowest `qf_max` at or above its
    /// quotient familial; the full price without a known quotient or above every band.
    pub fn unit_price_cents(&self, quotient: Option<u32>) -> u32 {
        quotient
            .and_then(|qf| {
                self.tariffs
                    .iter()
                    .filter(|t| t.qf_max >= qf)
                    .min_by_key(|t| t.qf_max)
            })
            .map_or(self.price_cents, |t| t.price_cents)
    }

    pub fn cancel_deadline(&self) -> &Deadline {
        self.cancel_deadline.as_ref().unwrap_or(&self.deadline)
    }
}

/// When a prestation runs, relative to the school holidays of the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Periods {
    School,
    Holidays,
    All,
}

impl Periods {
    pub fn as_str(&self) -> &'static str {
        match self {
            Periods::School => "school",
            Periods::Holidays => "holidays",
            Periods::All => "all",
        }
    }
}

/// The latest instant (Europe/Paris) at which a day can be booked or cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "DeadlineSpec")]
pub enum Deadline {
    /// The day itself, before `at`.
    SameDay { at: TimeOfDay },
    /// `days` days before, at `at`; counting only working days (Monday to Friday, not public
    /// holidays) when `working_days`.
    DaysBefore {
        days: u32,
        at: TimeOfDay,
        working_days: bool,
    },
    /// On `weekday` of the week before, at `at`.
    PreviousWeek { weekday: Weekday, at: TimeOfDay },
}

/// A deadline as written in the file. Read as one flat table (not as a tagged enum, which
/// serde buffers) so that errors keep their full key path, e.g. `….deadline.at`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineSpec {
    kind: DeadlineKind,
    at: TimeOfDay,
    days: Option<u32>,
    working_days: Option<bool>,
    weekday: Option<Weekday>,
}

#[derive(Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum DeadlineKind {
    SameDay,
    DaysBefore,
    PreviousWeek,
}

impl TryFrom<DeadlineSpec> for Deadline {
    type Error = String;
    fn try_from(s: DeadlineSpec) -> Result<Self, String> {
        let stray = |key: &str, kind: &str| format!("`{key}` does not apply to kind {kind}");
        match s.kind {
            DeadlineKind::SameDay => {
                for (key, set) in [
                    ("days", s.days.is_some()),
                    ("working_days", s.working_days.is_some()),
                    ("weekday", s.weekday.is_some()),
                ] {
                    if set {
                        return Err(stray(key, "same_day"));
                    }
                }
                Ok(Deadline::SameDay { at: s.at })
            }
            DeadlineKind::DaysBefore => {
                if s.weekday.is_some() {
                    return Err(stray("weekday", "days_before"));
                }
                let days = s.days.ok_or("kind days_before needs `days`")?;
                Ok(Deadline::DaysBefore {
                    days,
                    at: s.at,
                    working_days: s.working_days.unwrap_or(false),
                })
            }
            DeadlineKind::PreviousWeek => {
                for (key, set) in [
                    ("days", s.days.is_some()),
                    ("working_days", s.working_days.is_some()),
                ] {
                    if set {
                        return Err(stray(key, "previous_week"));
                    }
                }
                let weekday = s.weekday.ok_or("kind previous_week needs `weekday`")?;
                Ok(Deadline::PreviousWeek { weekday, at: s.at })
            }
        }
    }
}

impl Deadline {
    /// The rule in French, for the notices of the booking page.
    pub fn french(&self) -> String {
        match self {
            Deadline::SameDay { at } => format!("avant {} le jour même", at.french()),
            Deadline::DaysBefore {
                days,
                at,
                working_days,
            } => format!(
                "{} jour{}{} avant, à {}",
                days,
                if *days > 1 { "s" } else { "" },
                if *working_days {
                    " ouvré".to_string() + if *days > 1 { "s" } else { "" }
                } else {
                    String::new()
                },
                at.french()
            ),
            Deadline::PreviousWeek { weekday, at } => {
                format!(
                    "le {} de la semaine précédente à {}",
                    weekday.french(),
                    at.french()
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    pub qf_max: u32,
    pub price_cents: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub label: String,
}

/// One authorisation parents give or refuse for a child, e.g. the photo rights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizationKind {
    pub code: String,
    pub label: String,
}

fn default_authorizations() -> Vec<AuthorizationKind> {
    [
        (
            "photo",
            "Droit à l'image : photos et vidéos lors des activités",
        ),
        ("sortie_seul", "Autorisé(e) à quitter seul(e) l'accueil"),
        ("transport", "Transport en car lors des sorties"),
        ("intervention_medicale", "Intervention médicale d'urgence"),
    ]
    .iter()
    .map(|(code, label)| AuthorizationKind {
        code: code.to_string(),
        label: label.to_string(),
    })
    .collect()
}

/// A rubrique of the documents library the municipality publishes into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubrique {
    pub code: String,
    pub name: String,
}

fn default_rubriques() -> Vec<Rubrique> {
    [
        ("menus", "Menus repas"),
        ("activites", "Activités"),
        ("informations", "Informations"),
    ]
    .iter()
    .map(|(code, name)| Rubrique {
        code: code.to_string(),
        name: name.to_string(),
    })
    .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Oidc {
    pub issuer: String,
    pub client_id: String,
    /// Name of the environment variable holding the client secret: secrets never sit in
    /// the configuration file.
    pub client_secret_env: String,
    pub label: String,
}

impl Oidc {
    /// The prefix of the secret's variable for this municipality: `OIDC_LANNION_` for
    /// `lannion`, `OIDC_SAINT_MALO_` for `saint-malo`. A configuration file can thus only
    /// point at its own municipality's provider secrets.
    pub fn secret_env_prefix(slug: &str) -> String {
        format!("OIDC_{}_", slug.to_ascii_uppercase().replace('-', "_"))
    }

    /// Whether `client_secret_env` is one of this municipality's variables.
    pub fn secret_env_allowed(&self, slug: &str) -> bool {
        let prefix = Self::secret_env_prefix(slug);
        self.client_secret_env.len() > prefix.len() && self.client_secret_env.starts_with(&prefix)
    }
}

/// A configuration file that cannot be used, with every reason found.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{}", .errors.join("\n"))]
pub struct ConfigError {
    /// One line per problem: `key.path: reason`.
    pub errors: Vec<String>,
}

impl TenantConfig {
    /// Parses and validates a configuration file's text.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let deserializer = toml::Deserializer::parse(text).map_err(|e| ConfigError {
            errors: vec![syntax_error(text, &e)],
        })?;
        let config: TenantConfig =
            serde_path_to_error::deserialize(deserializer).map_err(|e| ConfigError {
                errors: vec![path_error(&e)],
            })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads, parses and validates a configuration file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            errors: vec![format!("{}: cannot be read: {e}", path.display())],
        })?;
        Self::from_toml(&text)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let errors = validate::check(self);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { errors })
        }
    }

    pub fn prestation(&self, code: &str) -> Option<&Prestation> {
        self.prestations.iter().find(|p| p.code == code)
    }
}

fn syntax_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message();
    match error.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message.to_string(),
    }
}

fn path_error(error: &serde_path_to_error::Error<toml::de::Error>) -> String {
    let path = error.path().to_string();
    let message = error.inner().message().to_string();
    if path == "." || path.is_empty() {
        message
    } else {
        format!("{path}: {message}")
    }
}

#[cfg(test)]
mod tests;
