//! The startup seam: [`Application::build`] connects, migrates and binds;
//! [`Application::run_until_stopped`] serves until the shutdown token fires,
//! then drains in-flight requests and closes WebSockets with a close frame.

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::{auth::Auth, config::Config, db, graphql, http, live::Live, state::AppState};

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects to the configured database, applies migrations and binds the
    /// listen address (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = db::connect(&config.database_url(), config.db_max_connections).await?;
        db::migrate(&db).await?;
        Self::build_with_db(config, db).await
    }

    /// Like [`Application::build`] on an existing, migrated pool.
    pub async fn build_with_db(config: Config, db: DatabaseConnection) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let graphql_counters = Arc::new(graphql::GraphqlCounters::default());
        let auth = Arc::new(Auth::from_config(&config)?);
        let config = Arc::new(config);
        let shutdown = CancellationToken::new();
        let live = Live::new(
            db.clone(),
            config.live.clone(),
            config.db_max_connections,
            shutdown.clone(),
        );
        let api = graphql::ApiContext {
            db: db.clone(),
            auth: auth.clone(),
            config: config.clone(),
            live: live.clone(),
        };
        let schema = graphql::build_schema(api, graphql_counters.clone());
        let streams = graphql::shared::SharedStreams::new(
            schema.clone(),
            config.live.live_buffer_events,
            live.counters().clone(),
        );
        let rechecks = Arc::new(crate::auth::Rechecks::new(config.auth.ws_auth_recheck()));
        let state = AppState {
            rechecks,
            db,
            config,
            auth,
            schema,
            streams,
            graphql_counters,
            http_counters: Arc::default(),
            shutdown,
            sockets: TaskTracker::new(),
            live,
        };
        Ok(Application { listener, state })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The shared state (for tests and the CLI).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Cancelling this token shuts the server down gracefully.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.state.shutdown.clone()
    }

    /// Serves until the shutdown token is cancelled; then stops accepting,
    /// lets in-flight requests finish, and waits (up to the grace period) for
    /// every WebSocket to send its close frame.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Application { listener, state } = self;
        let shutdown = state.shutdown.clone();
        let sockets = state.sockets.clone();
        let grace = std::time::Duration::from_secs(state.config.limits.shutdown_grace_secs);
        let background = TaskTracker::new();
        state.live.start(&background);
        let router = http::router(state);
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .context("serving HTTP")?;
        sockets.close();
        if tokio::time::timeout(grace, sockets.wait()).await.is_err() {
            tracing::warn!("some WebSockets did not close within the shutdown grace period");
        }
        background.close();
        if tokio::time::timeout(grace, background.wait())
            .await
            .is_err()
        {
            tracing::warn!("the live-update tasks did not stop within the shutdown grace period");
        }
        tracing::info!("server stopped");
        Ok(())
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(error = %error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
