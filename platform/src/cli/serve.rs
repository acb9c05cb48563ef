use crate::clock::OffsetClock;
use crate::settings::Settings;
use crate::startup::{Application, shutdown_signal};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Serve {
    /// FOR TESTS ONLY: the portal's clock starts at this instant (RFC 3339, e.g.
    /// 2027-01-11T08:00:00+01:00) and runs from there, whatever the machine's date. Deadlines,
    /// "today" and expiry follow it. Never set in production: it is logged as a warning.
    #[arg(long, value_name = "INSTANT")]
    test_clock: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl Serve {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        match &settings.smtp_url {
            Some(_) => tracing::info!("mail goes through SMTP_URL"),
            None => {
                tracing::info!(mail.dir = %settings.mail_dir.display(), "no SMTP_URL: mails are written as .eml files")
            }
        }
        crate::http::panics::install_hook();
        let listen = settings.listen_addr;
        let public_url = settings.public_url.clone();
        let app = match self.test_clock {
            None => Application::build(settings).await?,
            Some(at) => {
                tracing::warn!(starts_at = %at, "TEST CLOCK: the portal's time is not the real time; never use --test-clock in production");
                let clock = std::sync::Arc::new(OffsetClock::starting_at(at.to_utc()));
                Application::build_with_clock(settings, clock).await?
            }
        };
        tracing::info!(listen = %listen, port = app.port(), public_url = %public_url, "portail listening");
        app.run_until_stopped(shutdown_signal()).await?;
        tracing::info!("portail stopped");
        Ok(ExitCode::SUCCESS)
    }
}
