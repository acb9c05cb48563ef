//! Every replica listens on PostgreSQL's channel of registry changes
//! ([`portail_tenants::registry::CHANGES_CHANNEL`]): a `tenant update`, `suspend`, `resume` or
//! `delete` forgets the cached registry row at once, so a lowered capacity or a suspension holds
//! from the next request on. The hot path stays free of round trips: the cache is only emptied.

use crate::state::AppState;
use portail_tenants::database::Pooler;
use portail_tenants::registry::CHANGES_CHANNEL;
use sea_orm::sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;

/// Runs until the task is dropped. On any gap in listening everything is forgotten, since
/// announcements made meanwhile are lost.
///
/// Listening needs a session of its own: `DATABASE_SESSION_URL`, or `DATABASE_URL` when it
/// reaches PostgreSQL directly. A transaction-mode pooler would hand the session on after
/// `LISTEN` and the notifications would be lost; without a listening address there, changes
/// are seen when the registry cache expires (`TENANT_CACHE_SECONDS`).
pub async fn follow(state: Arc<AppState>) {
    let settings = &state.settings;
    let url = match (&settings.database_session_url, settings.database_pooler) {
        (Some(url), _) => url.expose().to_string(),
        (None, Pooler::Direct) => settings.database_url.expose().to_string(),
        (None, Pooler::Transaction) => {
            tracing::warn!(
                "registry changes: no DATABASE_SESSION_URL behind a transaction pooler; \
                 changes show within TENANT_CACHE_SECONDS"
            );
            return;
        }
    };
    loop {
        match PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen(CHANGES_CHANNEL).await {
                Ok(()) => {
                    state.tenants.forget_all();
                    state.tenants.set_listening(true);
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(change)) => state.tenants.forget(change.payload()),
                            // The connection dropped: listen again on a new one, trusting the
                            // cache only briefly until then.
                            Ok(None) => {
                                tracing::warn!("registry changes: connection lost");
                                break;
                            }
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
        state.tenants.set_listening(false);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
