//! `portail staff …`: the staff accounts of a municipality, one file per command. Vendor ops
//! invite the first staff; afterwards the municipality's admins invite their colleagues.

mod disable;
mod invite;
mod list;

use crate::cli::{connect, explain};
use crate::settings::Settings;
use portail_tenants::registry::{self, Tenant};
use sea_orm::DatabaseConnection;

subcommands! {
    pub enum StaffCommand {
        /// Invite a staff member: the activation link (72 h) is mailed to them.
        Invite(invite::Invite),
        /// List a municipality's staff.
        List(list::List),
        /// Disable a staff member: sign-in refused, open sessions end at once.
        Disable(disable::Disable),
    }
}

/// The database and the municipality named by `slug`.
async fn tenant(settings: &Settings, slug: &str) -> anyhow::Result<(DatabaseConnection, Tenant)> {
    let db = connect(settings, 1).await?;
    let Some(tenant) = registry::find(&db, slug).await.map_err(explain)? else {
        anyhow::bail!("no municipality has slug \"{slug}\"");
    };
    Ok((db, tenant))
}
