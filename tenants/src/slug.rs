//! The slug of a municipality: the first segment of every URL of its portal, and the name of
//! its PostgreSQL schema.

use std::fmt;

/// Path segments the service uses for itself; a municipality can never take them.
pub const RESERVED: &[&str] = &[
    "api",
    "static",
    "healthz",
    "readyz",
    "metrics",
    "admin",
    "assets",
    "public",
    "favicon-ico",
    "robots-txt",
    "www",
    "portail",
    "login",
    "logout",
    "auth",
    "oidc",
    "status",
    "health",
];

/// A validated slug: 3 to 40 characters, lowercase ASCII letters, digits and single hyphens,
/// starting with a letter and not ending with a hyphen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

/// Why a slug was refused, in words an operator can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SlugError {
    #[error("slug \"{0}\" must be 3 to 40 characters long")]
    Length(String),
    #[error(
        "slug \"{0}\" may contain only lowercase letters a-z, digits and single hyphens, must start with a letter and must not end with a hyphen"
    )]
    Characters(String),
    #[error("slug \"{0}\" is reserved by the service")]
    Reserved(String),
}

impl Slug {
    pub fn parse(input: &str) -> Result<Self, SlugError> {
        let s = input.to_string();
        if !(3..=40).contains(&input.len()) {
            return Err(SlugError::Length(s));
        }
        let bytes = input.as_bytes();
        let allowed = bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if !allowed
            || !bytes[0].is_ascii_lowercase()
            || bytes[bytes.len() - 1] == b'-'
            || input.contains("--")
        {
            return Err(SlugError::Characters(s));
        }
        if RESERVED.contains(&input) || input.starts_with("pg-") {
            return Err(SlugError::Reserved(s));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The tenant's schema: `t_` then the slug with `_` for `-`. Slugs have no `_`, so two
    /// slugs never share a schema, and the `t_` prefix keeps clear of `pg_*` and `public`.
    pub fn schema_name(&self) -> SchemaName {
        SchemaName(format!("t_{}", self.0.replace('-', "_")))
    }
}

/// The name of a tenant's PostgreSQL schema. Only a [`Slug`] and the registry (a row of
/// `public.tenants`) make one: no code can name a schema from a string it was given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct SchemaName(String);

impl SchemaName {
    /// As the registry recorded it.
    pub(crate) fn from_registry(name: String) -> Self {
        SchemaName(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SchemaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Quotes a schema name for DDL after checking it has the shape `schema_name` produces; any
/// other input is a programming error, never user input reaching SQL.
pub fn quoted_schema(schema: &str) -> String {
    let valid = schema.starts_with("t_")
        && schema.len() <= 42
        && schema[2..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    assert!(valid, "not a tenant schema name: {schema:?}");
    format!("\"{schema}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_name_with_hyphens_is_a_valid_slug() {
        let slug = Slug::parse("saint-souveur-en-eure").unwrap();
        assert_eq!(slug.schema_name().as_str(), "t_saint_souveur_en_eure");
    }

    #[test]
    fn uppercase_underscores_spaces_and_accents_are_refused() {
        for bad in [
            "Lannion",
            "st_souveur",
            "st souveur",
            "sévérac",
            "a--b",
            "-ab",
            "ab-",
            "1ab",
        ] {
            assert_eq!(
                Slug::parse(bad),
                Err(SlugError::Characters(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn too_short_and_too_long_slugs_are_refused() {
        assert!(matches!(Slug::parse("ab"), Err(SlugError::Length(_))));
        assert!(matches!(
            Slug::parse(&"a".repeat(41)),
            Err(SlugError::Length(_))
        ));
        assert!(Slug::parse(&"a".repeat(40)).is_ok());
    }

    #[test]
    fn reserved_route_names_are_refused() {
        for bad in [
            "api",
            "static",
            "healthz",
            "readyz",
            "metrics",
            "pg-catalog",
        ] {
            assert!(
                matches!(Slug::parse(bad), Err(SlugError::Reserved(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn quoting_accepts_only_generated_schema_names() {
        assert_eq!(quoted_schema("t_demo"), "\"t_demo\"");
        assert!(std::panic::catch_unwind(|| quoted_schema("public")).is_err());
        assert!(std::panic::catch_unwind(|| quoted_schema("t_x\"; drop")).is_err());
    }
}
