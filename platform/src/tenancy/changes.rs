//! Every replica listens on PostgreSQL's channel of registry changes
//! ([`portail_tenants::registry::CHANGES_CHANNEL`]): a `tenant update`, `suspend`, `resume` or
//! `delete` forgets the cached registry row at once, so a lowered capacity or a suspension holds
//! from the next request on. The hot path stays free of round trips: the cache is only emptied.

use crate::state::AppState;
use portail_tenants::registry::CHANGES_CHANNEL;
use sea_orm::sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;

/// Runs until the task is dropped. On any gap in listening everything is forgotten, since
/// announcements made meanwhile are lost.
pub async fn follow(state: Arc<AppState>) {
    let url = state.settings.database_url.expose().to_string();
    loop {
        match PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen(CHANGES_CHANNEL).await {
                Ok(()) => {
                    state.tenants.forget_all();
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(change)) => state.tenants.forget(change.payload()),
                            // The connection dropped; the next call reconnects and listens again.
                            Ok(None) => state.tenants.forget_all(),
                            Err(e) => {
                                tracing::warn!(error = %e, "registry changes: listening stopped");
                                break;
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "registry changes: cannot listen"),
            },
            Err(e) => tracing::warn!(error = %e, "registry changes: cannot connect"),
        }
        state.tenants.forget_all();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
