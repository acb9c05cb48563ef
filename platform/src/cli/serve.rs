use crate::settings::Settings;
use crate::startup::{Application, shutdown_signal};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Serve {}

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
        let app = Application::build(settings).await?;
        tracing::info!(listen = %listen, port = app.port(), public_url = %public_url, "portail listening");
        app.run_until_stopped(shutdown_signal()).await?;
        tracing::info!("portail stopped");
        Ok(ExitCode::SUCCESS)
    }
}
