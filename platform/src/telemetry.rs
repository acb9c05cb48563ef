//! Logs: human-readable by default, one JSON object per line with `LOG_FORMAT=json`. The
//! filter comes from `RUST_LOG` (default `info`). Fields are stable and dotted
//! (`tenant.slug`, `http.route`); passwords, tokens and medical fields are never logged.

use crate::settings::LogFormat;
use tracing_subscriber::EnvFilter;

/// `default_filter` applies when `RUST_LOG` is unset: `info` for the service, `warn` for the
/// provisioning commands, whose own output is the result.
pub fn init(format: LogFormat, default_filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!("{default_filter},sqlx=warn,sea_orm_migration=warn"))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second initialisation (tests) keeps the first subscriber.
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Text => builder.with_target(false).try_init(),
    };
}
