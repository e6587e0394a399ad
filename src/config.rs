//! The one typed configuration: flags first, then `PULSE_*` environment
//! variables (and `DATABASE_URL`), then defaults. Production mode refuses unsafe
//! defaults; development mode fills them in and says so.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

/// Development or production behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    /// GraphiQL, introspection and field suggestions on; a JWT secret is
    /// generated into the data directory when none is configured.
    Development,
    /// Introspection, suggestions and GraphiQL off; a JWT secret is required.
    Production,
}

impl Environment {
    /// The name used in logs and in `apiInfo`.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Production => "production",
        }
    }
}

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Settings every subcommand shares: where the data lives and how to behave.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Database URL (`sqlite://…` or `postgres://…`); defaults to
    /// `sqlite://<data-dir>/pulse.db`.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Directory for the SQLite file and the generated development JWT secret.
    #[arg(long, env = "PULSE_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// `development` or `production`.
    #[arg(
        long = "env",
        env = "PULSE_ENV",
        value_enum,
        default_value = "development",
        global = true
    )]
    pub environment: Environment,

    /// Secret for signing access tokens (HS256). Required in production.
    #[arg(long, env = "PULSE_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<Secret>,

    #[command(flatten)]
    pub auth: AuthSettings,

    /// Log format.
    #[arg(
        long,
        env = "PULSE_LOG_FORMAT",
        value_enum,
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,

    /// Largest database connection pool.
    #[arg(
        long,
        env = "PULSE_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_max_connections: u32,

    /// Listen address of `serve` (and the address `healthcheck` probes).
    #[arg(
        long,
        env = "PULSE_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    #[command(flatten)]
    pub limits: Limits,

    #[command(flatten)]
    pub live: LiveSettings,
}

/// Live updates: the event pipeline and subscriptions (DESIGN.md section 1).
#[derive(Clone, Debug, Args)]
pub struct LiveSettings {
    /// A board or dashboard snapshot is recomputed at most once per this many
    /// milliseconds, however many changes arrive.
    #[arg(
        long,
        env = "PULSE_LIVE_COALESCE_MS",
        default_value_t = 250,
        global = true
    )]
    pub live_coalesce_ms: u64,
    /// Events each workspace's live channel holds for subscribers that fall
    /// behind; a subscriber further behind catches up from the database.
    #[arg(
        long,
        env = "PULSE_LIVE_BUFFER_EVENTS",
        default_value_t = 256,
        global = true
    )]
    pub live_buffer_events: usize,
    /// How often the sequencer looks for events nobody woke it for (written
    /// by another process, or before a crash), in milliseconds.
    #[arg(
        long,
        env = "PULSE_LIVE_POLL_MS",
        default_value_t = 1000,
        global = true
    )]
    pub live_poll_ms: u64,
}

impl LiveSettings {
    /// The coalescing interval of snapshots.
    pub fn coalesce(&self) -> Duration {
        Duration::from_millis(self.live_coalesce_ms)
    }

    /// The sequencer's fallback poll interval.
    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.live_poll_ms.max(10))
    }
}

/// Sessions, tokens and sign-up (DESIGN.md section 4).
#[derive(Clone, Debug, Args)]
pub struct AuthSettings {
    /// Key id (`kid`) of `PULSE_JWT_SECRET`; new access tokens are signed with it.
    #[arg(long, env = "PULSE_JWT_KEY_ID", default_value = "k1", global = true)]
    pub jwt_key_id: String,
    /// Older keys still accepted while tokens signed with them expire, as
    /// `kid=secret` pairs separated by commas.
    #[arg(
        long,
        env = "PULSE_JWT_PREVIOUS_KEYS",
        hide_env_values = true,
        global = true
    )]
    pub jwt_previous_keys: Option<Secret>,
    /// `iss` of access tokens.
    #[arg(long, env = "PULSE_JWT_ISSUER", default_value = "pulse", global = true)]
    pub jwt_issuer: String,
    /// `aud` of access tokens.
    #[arg(
        long,
        env = "PULSE_JWT_AUDIENCE",
        default_value = "pulse-api",
        global = true
    )]
    pub jwt_audience: String,
    /// Lifetime of an access token, in seconds.
    #[arg(
        long,
        env = "PULSE_ACCESS_TOKEN_TTL_SECS",
        default_value_t = 900,
        global = true
    )]
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token, in days.
    #[arg(
        long,
        env = "PULSE_REFRESH_TOKEN_TTL_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub refresh_token_ttl_days: u64,
    /// Whether `signUp` may create workspaces; on in development, off in
    /// production unless set.
    #[arg(long, env = "PULSE_ALLOW_SIGNUP", global = true)]
    pub allow_signup: Option<bool>,
    /// Login attempts allowed per e-mail address per 15 minutes.
    #[arg(
        long,
        env = "PULSE_LOGIN_ATTEMPTS_PER_EMAIL",
        default_value_t = 10,
        global = true
    )]
    pub login_attempts_per_email: u32,
    /// Login attempts allowed per client address per 15 minutes.
    #[arg(
        long,
        env = "PULSE_LOGIN_ATTEMPTS_PER_ADDRESS",
        default_value_t = 50,
        global = true
    )]
    pub login_attempts_per_address: u32,
    /// How often an open WebSocket re-checks its credentials (expiry,
    /// revocation, deactivation), in milliseconds.
    #[arg(
        long,
        env = "PULSE_WS_AUTH_RECHECK_MS",
        default_value_t = 2000,
        global = true
    )]
    pub ws_auth_recheck_ms: u64,
}

impl AuthSettings {
    /// The access-token lifetime.
    pub fn access_token_ttl(&self) -> Duration {
        Duration::from_secs(self.access_token_ttl_secs)
    }

    /// The refresh-token lifetime.
    pub fn refresh_token_ttl(&self) -> chrono::Duration {
        chrono::Duration::days(i64::try_from(self.refresh_token_ttl_days).unwrap_or(30))
    }

    /// The WebSocket credential re-check interval.
    pub fn ws_auth_recheck(&self) -> Duration {
        Duration::from_millis(self.ws_auth_recheck_ms.max(100))
    }
}

/// Protection limits of DESIGN.md section 5.
#[derive(Clone, Debug, Args)]
pub struct Limits {
    /// Largest request body in bytes (413 above it).
    #[arg(long, env = "PULSE_MAX_BODY_BYTES", default_value_t = 1024 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Deepest field nesting of a query.
    #[arg(long, env = "PULSE_MAX_DEPTH", default_value_t = 12, global = true)]
    pub max_depth: usize,
    /// Highest query complexity; a list field costs its page size times its
    /// selection.
    #[arg(
        long,
        env = "PULSE_MAX_COMPLEXITY",
        default_value_t = 1000,
        global = true
    )]
    pub max_complexity: usize,
    /// Most aliases in one query.
    #[arg(long, env = "PULSE_MAX_ALIASES", default_value_t = 30, global = true)]
    pub max_aliases: usize,
    /// Most directives in one query.
    #[arg(
        long,
        env = "PULSE_MAX_DIRECTIVES",
        default_value_t = 20,
        global = true
    )]
    pub max_directives: usize,
    /// Most operations in one batched request.
    #[arg(long, env = "PULSE_MAX_BATCH", default_value_t = 10, global = true)]
    pub max_batch: usize,
    /// Longest query text in characters.
    #[arg(
        long,
        env = "PULSE_MAX_QUERY_LENGTH",
        default_value_t = 15_000,
        global = true
    )]
    pub max_query_length: usize,
    /// Page size of a list when the client gives none.
    #[arg(
        long,
        env = "PULSE_DEFAULT_PAGE_SIZE",
        default_value_t = 20,
        global = true
    )]
    pub default_page_size: usize,
    /// Largest page a client may ask for.
    #[arg(
        long,
        env = "PULSE_MAX_PAGE_SIZE",
        default_value_t = 100,
        global = true
    )]
    pub max_page_size: usize,
    /// Query-complexity points each user or API token may spend per minute
    /// (a token bucket; 0 switches the limit off).
    #[arg(
        long,
        env = "PULSE_RATE_LIMIT_POINTS_PER_MINUTE",
        default_value_t = 20_000,
        global = true
    )]
    pub rate_limit_points_per_minute: u32,
    /// Seconds a request may run before it is answered with 408.
    #[arg(
        long,
        env = "PULSE_REQUEST_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_secs: u64,
    /// Milliseconds a WebSocket may stay open without `connection_init` (4408).
    #[arg(
        long,
        env = "PULSE_WS_INIT_TIMEOUT_MS",
        default_value_t = 3000,
        global = true
    )]
    pub ws_init_timeout_ms: u64,
    /// Operations one WebSocket may run at once; a `subscribe` beyond it
    /// gets an error for that operation (the socket stays open).
    #[arg(
        long,
        env = "PULSE_WS_MAX_OPERATIONS",
        default_value_t = 100,
        global = true
    )]
    pub ws_max_operations: usize,
    /// Seconds shutdown waits for in-flight requests and sockets.
    #[arg(
        long,
        env = "PULSE_SHUTDOWN_GRACE_SECS",
        default_value_t = 10,
        global = true
    )]
    pub shutdown_grace_secs: u64,
}

impl Limits {
    /// The request timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// The WebSocket `connection_init` timeout.
    pub fn ws_init_timeout(&self) -> Duration {
        Duration::from_millis(self.ws_init_timeout_ms)
    }
}

/// A secret that never shows up in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret's bytes, for the one place that needs them.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

/// Shortest accepted JWT secret, in bytes (HS256 wants at least 256 bits).
const MIN_SECRET_LEN: usize = 32;
/// File in the data directory holding the generated development secret.
const SECRET_FILE: &str = "jwt-secret";

impl Config {
    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}/pulse.db?mode=rwc", self.data_dir.display()),
        }
    }

    /// Whether `signUp` is enabled (resolved by [`Config::resolve`]).
    pub fn signup_allowed(&self) -> bool {
        self.auth
            .allow_signup
            .unwrap_or(self.environment == Environment::Development)
    }

    /// Whether the database is SQLite (the data directory must exist then).
    pub fn uses_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// Checks the settings and fills in development defaults: creates the data
    /// directory, and in development generates and keeps a JWT secret when
    /// none is configured. Production refuses to start without one.
    pub fn resolve(mut self) -> anyhow::Result<Self> {
        if self.uses_sqlite() {
            std::fs::create_dir_all(&self.data_dir).with_context(|| {
                format!("creating the data directory {}", self.data_dir.display())
            })?;
        }
        if self.limits.default_page_size == 0
            || self.limits.default_page_size > self.limits.max_page_size
        {
            bail!("PULSE_DEFAULT_PAGE_SIZE must be between 1 and PULSE_MAX_PAGE_SIZE");
        }
        if self.live.live_buffer_events == 0 {
            bail!("PULSE_LIVE_BUFFER_EVENTS must be at least 1");
        }
        if self.limits.ws_max_operations == 0 {
            bail!("PULSE_WS_MAX_OPERATIONS must be at least 1");
        }
        if self.auth.allow_signup.is_none() {
            self.auth.allow_signup = Some(self.environment == Environment::Development);
        }
        if let Some(previous) = &self.auth.jwt_previous_keys {
            for pair in std::str::from_utf8(previous.expose())
                .unwrap_or("")
                .split(',')
                .filter(|p| !p.trim().is_empty())
            {
                match pair.split_once('=') {
                    Some((kid, secret))
                        if !kid.trim().is_empty() && secret.trim().len() >= MIN_SECRET_LEN => {}
                    _ => bail!(
                        "PULSE_JWT_PREVIOUS_KEYS must be `kid=secret` pairs with secrets of at least {MIN_SECRET_LEN} bytes"
                    ),
                }
            }
        }
        match (&self.jwt_secret, self.environment) {
            (Some(secret), _) if secret.expose().len() < MIN_SECRET_LEN => {
                bail!("PULSE_JWT_SECRET must be at least {MIN_SECRET_LEN} bytes long")
            }
            (Some(_), _) => {}
            (None, Environment::Production) => {
                bail!("PULSE_JWT_SECRET is required when PULSE_ENV=production")
            }
            (None, Environment::Development) => {
                self.jwt_secret = Some(self.development_secret()?);
            }
        }
        Ok(self)
    }

    /// Reads the development secret from the data directory, generating it on
    /// first use.
    fn development_secret(&self) -> anyhow::Result<Secret> {
        let path = self.data_dir.join(SECRET_FILE);
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let existing = existing.trim();
            if existing.len() >= MIN_SECRET_LEN {
                return Ok(Secret(existing.to_owned()));
            }
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))?;
        let secret = random_secret();
        std::fs::write(&path, &secret)
            .with_context(|| format!("writing the development JWT secret to {}", path.display()))?;
        tracing::warn!(
            path = %path.display(),
            "no PULSE_JWT_SECRET configured: generated a development secret; set one in production"
        );
        Ok(Secret(secret))
    }
}

/// 48 random bytes as hex.
fn random_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
