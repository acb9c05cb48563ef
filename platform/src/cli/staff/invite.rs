use super::tenant;
use crate::cli::tenant::print_outcome;
use crate::settings::Settings;
use crate::staff::{StaffError, accounts};
use portail_tenants::TenantTx;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Invite {
    slug: String,
    email: String,
    /// The person's name, e.g. "Anne LEROUX".
    #[arg(long)]
    name: String,
    /// accueil, gestionnaire, regisseur or admin.
    #[arg(long)]
    role: String,
    #[arg(long)]
    json: bool,
    /// FOR TESTS ONLY: the invitation is stamped at this instant (RFC 3339) instead of now, to
    /// match a portal served with `serve --test-clock`. Logged as a warning.
    #[arg(long, value_name = "INSTANT")]
    test_clock: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl Invite {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let (db, tenant) = tenant(&settings, &self.slug).await?;
        let tx = TenantTx::begin(&db, &tenant.schema_name).await?;
        let from = accounts::Inviting {
            public_url: &settings.public_url,
            slug: &tenant.slug,
            tenant_name: &tenant.name,
            by: None,
            now: match self.test_clock {
                Some(at) => {
                    tracing::warn!(at = %at, "TEST CLOCK: the invitation is not stamped at the real time");
                    at.with_timezone(&chrono::Utc)
                }
                None => chrono::Utc::now(),
            },
        };
        let member = match accounts::invite(&tx, &from, &self.email, &self.name, &self.role).await {
            Ok(m) => m,
            Err(StaffError::Invalid(errors)) => {
                let list: Vec<String> = errors.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                anyhow::bail!("invalid invitation:\n  {}", list.join("\n  "))
            }
            Err(StaffError::AlreadyExists) => {
                anyhow::bail!("a staff member of {} already has {}", self.slug, self.email)
            }
            Err(e) => anyhow::bail!("{e}"),
        };
        tx.commit().await?;
        print_outcome(self.json, &member, || {
            format!(
                "invited {} <{}> as {} in {}: the activation link (valid {} h) is in the outbox and will be mailed by the running service",
                member.name,
                member.email,
                member.role,
                self.slug,
                accounts::ACTIVATION_HOURS
            )
        });
        Ok(ExitCode::SUCCESS)
    }
}
