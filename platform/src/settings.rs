//! Service settings: defaults < optional TOML file (`PORTAIL_CONFIG`) < environment, with the
//! standard variable names. Secrets (URLs with passwords) never appear in `Debug` output.

use portail_tenants::database::Pooler;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A value that must not be printed: logs and `Debug` show `[redacted]`.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The largest `MAX_UPLOAD_BYTES` accepted: 256 MiB.
pub const MAX_UPLOAD_CEILING: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: Secret,
    pub redis_url: Secret,
    pub smtp_url: Option<Secret>,
    /// Base of every link sent by mail, e.g. `https://portail.example.fr`; never the Host header.
    pub public_url: String,
    pub listen_addr: SocketAddr,
    pub log_format: LogFormat,
    /// Connections this process may hold.
    pub database_max_connections: u32,
    /// How long a registry lookup is trusted before asking PostgreSQL again.
    pub tenant_cache_seconds: u64,
    /// On SIGTERM, in-flight requests get this long to finish.
    pub shutdown_grace_seconds: u64,
    /// Where mails go as `.eml` files when no SMTP server is configured.
    pub mail_dir: PathBuf,
    /// How often every outbox is swept for mail left by a replica that stopped (0: never).
    pub mail_sweep_seconds: u64,
    /// Sender of the portal's mails, e.g. `Portail Famille <no-reply@portail.example.fr>`.
    pub mail_from: String,
    /// Largest document a parent may send, in bytes; counted while the body arrives.
    pub max_upload_bytes: u64,
    /// Uploads read at once by one process; one more is answered 503 with `Retry-After`.
    pub upload_concurrency: usize,
    /// Peers whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed (the ingress); empty:
    /// the TCP peer is the client.
    pub trusted_proxies: Vec<crate::http::client_ip::Cidr>,
    /// Host names served besides the host of `PUBLIC_URL` (lowercase, without port).
    pub extra_hosts: Vec<String>,
    /// Most bytes of documents one household may keep.
    pub household_quota_bytes: u64,
    /// `host:port` of a clamd that scans every document before it is stored; none: no scan.
    pub clamd_address: Option<String>,
    /// `DATABASE_POOLER`: `direct` (PostgreSQL or a session-mode pooler) or `transaction`
    /// (PgBouncer in transaction mode).
    pub database_pooler: Pooler,
    /// `DATABASE_SESSION_URL`: a session to PostgreSQL (itself or a session-mode pool) for what a
    /// transaction-mode pooler cannot carry: the registry's change notifications (`LISTEN`) and
    /// the CLI (migrations, provisioning). Default: `DATABASE_URL`. Behind a transaction pooler
    /// without it, changes are seen when the registry cache expires.
    pub database_session_url: Option<Secret>,
    /// Where PayFiP answers (`/tpa/services/securite`, `/tpa/paiementws.web`); the local fake
    /// in tests and the demo.
    pub payfip_base_url: String,
    /// How long a call to PayFiP may take before the parent is told it is unreachable.
    pub payfip_timeout_seconds: u64,
}

/// The settings file: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<Secret>,
    redis_url: Option<Secret>,
    smtp_url: Option<Secret>,
    public_url: Option<String>,
    listen_addr: Option<String>,
    log_format: Option<LogFormat>,
    database_max_connections: Option<u32>,
    tenant_cache_seconds: Option<u64>,
    shutdown_grace_seconds: Option<u64>,
    mail_dir: Option<PathBuf>,
    mail_from: Option<String>,
    mail_sweep_seconds: Option<u64>,
    max_upload_bytes: Option<u64>,
    upload_concurrency: Option<usize>,
    trusted_proxies: Option<String>,
    extra_hosts: Option<String>,
    household_quota_bytes: Option<u64>,
    clamd_address: Option<String>,
    database_pooler: Option<String>,
    database_session_url: Option<Secret>,
    payfip_base_url: Option<String>,
    payfip_timeout_seconds: Option<u64>,
}

impl Settings {
    /// Reads the file named by `PORTAIL_CONFIG` (if any) and the process environment.
    pub fn load() -> anyhow::Result<Self> {
        Self::from_sources(|name| std::env::var(name).ok())
    }

    /// `env` answers a variable's value; tests pass their own.
    pub fn from_sources(env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let file = match env("PORTAIL_CONFIG") {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| anyhow::anyhow!("settings file {path}: {e}"))?;
                toml::from_str::<FileSettings>(&text)
                    .map_err(|e| anyhow::anyhow!("settings file {path}: {}", e.message()))?
            }
            None => FileSettings::default(),
        };
        let parse_env = |name: &str| -> anyhow::Result<Option<u64>> {
            env(name)
                .map(|v| {
                    v.parse::<u64>()
                        .map_err(|_| anyhow::anyhow!("{name}: {v:?} is not a whole number"))
                })
                .transpose()
        };
        let listen = env("LISTEN_ADDR")
            .or(file.listen_addr)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let log_format = match env("LOG_FORMAT").as_deref() {
            Some("json") => LogFormat::Json,
            Some("text") => LogFormat::Text,
            Some(other) => anyhow::bail!("LOG_FORMAT: {other:?} is neither \"json\" nor \"text\""),
            None => file.log_format.unwrap_or(LogFormat::Text),
        };
        let max_upload_bytes = parse_env("MAX_UPLOAD_BYTES")?
            .or(file.max_upload_bytes)
            .unwrap_or(10 * 1024 * 1024);
        // Documents are stored in PostgreSQL (bytea, size in an `integer`): keep them modest.
        if max_upload_bytes == 0 || max_upload_bytes > MAX_UPLOAD_CEILING {
            anyhow::bail!(
                "MAX_UPLOAD_BYTES: {max_upload_bytes} is not between 1 and {MAX_UPLOAD_CEILING}"
            );
        }
        let trusted_proxies = crate::http::client_ip::parse_cidrs(
            &env("TRUSTED_PROXIES")
                .or(file.trusted_proxies)
                .unwrap_or_default(),
        )
        .map_err(|e| anyhow::anyhow!("TRUSTED_PROXIES: {e}"))?;
        let extra_hosts = env("EXTRA_HOSTS")
            .or(file.extra_hosts)
            .unwrap_or_default()
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        let public_url = env("PUBLIC_URL")
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        Ok(Settings {
            database_url: env("DATABASE_URL")
                .map(Secret::new)
                .or(file.database_url)
                .unwrap_or_else(|| Secret::new("postgres://portail@127.0.0.1:5432/portail")),
            redis_url: env("REDIS_URL")
                .map(Secret::new)
                .or(file.redis_url)
                .unwrap_or_else(|| Secret::new("redis://127.0.0.1:6379")),
            smtp_url: env("SMTP_URL")
                .filter(|s| !s.is_empty())
                .map(Secret::new)
                .or(file.smtp_url),
            public_url: public_url.trim_end_matches('/').to_string(),
            listen_addr: listen.parse().map_err(|_| {
                anyhow::anyhow!("LISTEN_ADDR: {listen:?} is not an address such as 127.0.0.1:8080")
            })?,
            log_format,
            database_max_connections: parse_env("DATABASE_MAX_CONNECTIONS")?
                .map(|v| v as u32)
                .or(file.database_max_connections)
                .unwrap_or(10),
            tenant_cache_seconds: parse_env("TENANT_CACHE_SECONDS")?
                .or(file.tenant_cache_seconds)
                .unwrap_or(2),
            shutdown_grace_seconds: parse_env("SHUTDOWN_GRACE_SECONDS")?
                .or(file.shutdown_grace_seconds)
                .unwrap_or(25),
            mail_dir: env("MAIL_DIR")
                .map(PathBuf::from)
                .or(file.mail_dir)
                .unwrap_or_else(|| std::env::temp_dir().join("portail-mail")),
            mail_sweep_seconds: parse_env("MAIL_SWEEP_SECONDS")?
                .or(file.mail_sweep_seconds)
                .unwrap_or(60),
            mail_from: env("MAIL_FROM")
                .or(file.mail_from)
                .unwrap_or_else(|| "Portail Famille <no-reply@portail-famille.invalid>".into()),
            max_upload_bytes,
            upload_concurrency: match parse_env("UPLOAD_CONCURRENCY")?
                .map(|v| v as usize)
                .or(file.upload_concurrency)
                .unwrap_or(8)
            {
                0 => anyhow::bail!("UPLOAD_CONCURRENCY: 0 would refuse every upload"),
                n => n,
            },
            trusted_proxies,
            extra_hosts,
            household_quota_bytes: parse_env("HOUSEHOLD_QUOTA_BYTES")?
                .or(file.household_quota_bytes)
                .unwrap_or(200 * 1024 * 1024),
            clamd_address: env("CLAMD_ADDRESS")
                .or(file.clamd_address)
                .filter(|a| !a.trim().is_empty()),
            database_pooler: match env("DATABASE_POOLER")
                .or(file.database_pooler)
                .as_deref()
                .unwrap_or("direct")
            {
                "direct" => Pooler::Direct,
                "transaction" => Pooler::Transaction,
                other => anyhow::bail!(
                    "DATABASE_POOLER: {other:?} is neither \"direct\" nor \"transaction\""
                ),
            },
            database_session_url: env("DATABASE_SESSION_URL")
                .filter(|s| !s.is_empty())
                .map(Secret::new)
                .or(file.database_session_url),
            payfip_base_url: env("PAYFIP_BASE_URL")
                .or(file.payfip_base_url)
                .unwrap_or_else(|| "https://www.payfip.gouv.fr".into())
                .trim_end_matches('/')
                .to_string(),
            payfip_timeout_seconds: parse_env("PAYFIP_TIMEOUT_SECONDS")?
                .or(file.payfip_timeout_seconds)
                .unwrap_or(10)
                .max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_sources(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_listen_on_loopback_8080() {
        let s = from(&[]).unwrap();
        assert_eq!(s.listen_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.log_format, LogFormat::Text);
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.max_upload_bytes, 10_485_760);
        assert_eq!(s.upload_concurrency, 8);
        assert_eq!(
            from(&[("UPLOAD_CONCURRENCY", "3")])
                .unwrap()
                .upload_concurrency,
            3
        );
        assert!(from(&[("UPLOAD_CONCURRENCY", "0")]).is_err());
    }

    #[test]
    fn the_environment_overrides_the_file_which_overrides_defaults() {
        let dir = std::env::temp_dir().join(format!("portail-settings-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("portail.toml");
        std::fs::write(&file, "public_url = \"https://file.example/\"\nlisten_addr = \"0.0.0.0:9000\"\nlog_format = \"json\"\n").unwrap();
        let path = file.to_str().unwrap();
        let s = from(&[("PORTAIL_CONFIG", path), ("LISTEN_ADDR", "127.0.0.1:7000")]).unwrap();
        assert_eq!(s.public_url, "https://file.example");
        assert_eq!(s.listen_addr.to_string(), "127.0.0.1:7000");
        assert_eq!(s.log_format, LogFormat::Json);
    }

    #[test]
    fn unknown_keys_in_the_file_and_bad_values_are_refused() {
        let dir = std::env::temp_dir().join(format!("portail-settings-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("portail.toml");
        std::fs::write(&file, "listen_adress = \"x\"\n").unwrap();
        let err = from(&[("PORTAIL_CONFIG", file.to_str().unwrap())])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `listen_adress`"), "{err}");
        assert!(from(&[("LISTEN_ADDR", "localhost")]).is_err());
        assert!(from(&[("LOG_FORMAT", "xml")]).is_err());
        assert!(from(&[("SHUTDOWN_GRACE_SECONDS", "soon")]).is_err());
        assert!(from(&[("MAX_UPLOAD_BYTES", "10 Mo")]).is_err());
        assert!(from(&[("MAX_UPLOAD_BYTES", "0")]).is_err());
        assert!(from(&[("MAX_UPLOAD_BYTES", "1073741824")]).is_err());
        assert_eq!(
            from(&[("MAX_UPLOAD_BYTES", "2097152")])
                .unwrap()
                .max_upload_bytes,
            2_097_152
        );
    }

    #[test]
    fn trusted_proxies_and_extra_hosts_are_read_and_checked() {
        let s = from(&[]).unwrap();
        assert!(
            s.trusted_proxies.is_empty(),
            "no proxy is trusted by default"
        );
        assert!(s.extra_hosts.is_empty());
        let s = from(&[
            ("TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8,192.168.1.7"),
            ("EXTRA_HOSTS", "Portail.Example.fr, 127.0.0.1"),
        ])
        .unwrap();
        assert_eq!(s.trusted_proxies.len(), 3);
        assert_eq!(s.extra_hosts, vec!["portail.example.fr", "127.0.0.1"]);
        assert!(from(&[("TRUSTED_PROXIES", "10.0.0.0/33")]).is_err());
        assert!(from(&[("TRUSTED_PROXIES", "ingress")]).is_err());
    }

    #[test]
    fn the_pooler_and_the_session_address_are_read() {
        let direct = from(&[]).unwrap();
        assert_eq!(direct.database_pooler, Pooler::Direct);
        assert!(direct.database_session_url.is_none());
        let pooled = from(&[
            ("DATABASE_POOLER", "transaction"),
            ("DATABASE_SESSION_URL", "postgres://u:pw@db/x"),
        ])
        .unwrap();
        assert_eq!(pooled.database_pooler, Pooler::Transaction);
        assert_eq!(
            pooled.database_session_url.unwrap().expose(),
            "postgres://u:pw@db/x"
        );
        let e = from(&[("DATABASE_POOLER", "session")]).unwrap_err();
        assert!(e.to_string().contains("DATABASE_POOLER"), "{e}");
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let s = from(&[("DATABASE_URL", "postgres://u:hunter2@db/x")]).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(s.database_url.expose(), "postgres://u:hunter2@db/x");
    }
}
