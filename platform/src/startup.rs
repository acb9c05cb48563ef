//! Building and running the service: connect, bind (port 0 in tests), serve until a signal,
//! then stop accepting, let in-flight requests finish within the grace period, and return.

use crate::auth::hashing;
use crate::clock::{Clock, SystemClock};
use crate::http::routes;
use crate::mail::sender::MailSender;
use crate::redis_connection::SharedRedis;
use crate::school_calendar::SchoolCalendars;
use crate::settings::Settings;
use crate::state::{AppState, Parts};
use crate::tenancy::TenantDirectory;
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use portail_tenants::TenantPool;
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub struct Application {
    acceptor: TcpAcceptor,
    port: u16,
    state: Arc<AppState>,
    /// The registry's connection, for the mail sender's sweep of every outbox.
    registry: DatabaseConnection,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As `build`, with the clock tests move.
    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let db = portail_tenants::database::connect_lazy(
            settings.database_url.expose(),
            settings.database_max_connections,
            settings.database_pooler,
        )
        .await
        .map_err(|e| anyhow::anyhow!("PostgreSQL at DATABASE_URL: {e}"))?;
        let redis = redis_connection(&settings)?;
        let acceptor = TcpListener::bind(settings.listen_addr.to_string())
            .into_acceptor()
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.listen_addr))?;
        let port = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().map(|s| s.port()))
            .unwrap_or(settings.listen_addr.port());
        hashing::warm_up();
        let state = Arc::new(AppState::new(Parts {
            tenants: TenantDirectory::new(
                db.clone(),
                Duration::from_secs(settings.tenant_cache_seconds),
            ),
            pool: TenantPool::new(db.clone()),
            clock,
            school_calendars: SchoolCalendars::new(
                db.clone(),
                Duration::from_secs(settings.tenant_cache_seconds),
            ),
            redis,
            settings,
        }));
        Ok(Self {
            acceptor,
            port,
            state,
            registry: db,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// Serves until `shutdown` resolves, then drains within the grace period. The mail sender
    /// runs beside the server and stops with it.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let grace = Duration::from_secs(self.state.settings.shutdown_grace_seconds);
        let app = routes::app(self.state.clone());
        let sender = MailSender::new(
            &self.state.settings,
            self.registry.clone(),
            self.state.outboxes.clone(),
        )
        .map_err(|e| std::io::Error::other(e.to_string()))?;
        let (stop_sender, sender_stopped) = tokio::sync::oneshot::channel::<()>();
        let sender_task = tokio::spawn(sender.run(async {
            let _ = sender_stopped.await;
        }));
        let changes = tokio::spawn(crate::tenancy::changes::follow(self.state.clone()));
        let reconciliation = tokio::spawn(crate::billing::payment::reconciliation_loop(
            self.state.clone(),
            self.registry.clone(),
            Duration::from_secs(60),
        ));
        let served = Server::new_with_acceptor(self.acceptor)
            .idle_timeout(Duration::from_secs(75))
            .run_with_graceful_shutdown(app, shutdown, Some(grace))
            .await;
        changes.abort();
        reconciliation.abort();
        let _ = stop_sender.send(());
        let _ = sender_task.await;
        served
    }
}

/// The process's Redis connection, made lazily: the service starts (and says it is not ready)
/// while Redis is down, and recovers by itself when it returns.
pub fn redis_connection(settings: &Settings) -> anyhow::Result<SharedRedis> {
    SharedRedis::lazy(settings.redis_url.expose())
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested: finishing in-flight requests");
}
