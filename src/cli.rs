//! The command-line interface: a thin layer over the library.

use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::{
    config::{Config, Environment},
    db,
    domain::identity::tokens,
    graphql, seed,
    startup::{Application, shutdown_signal},
    telemetry,
};

/// Pulse, an API-first CRM backend.
#[derive(Debug, Parser)]
#[command(name = "pulse", version, about)]
pub struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the GraphQL API (migrations are applied first).
    Serve {
        /// Seed the demo workspace `acme` when it does not exist yet.
        #[arg(long)]
        demo: bool,
    },
    /// Apply, roll back or list migrations.
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Generate data: the demo workspace, or a large one for benchmarks.
    Seed {
        /// The demo workspace `acme` (first run only).
        #[arg(long, conflicts_with = "scale", required_unless_present = "scale")]
        demo: bool,
        /// A workspace with this many contacts and proportional related rows.
        #[arg(long)]
        scale: Option<usize>,
        /// Slug of the workspace `--scale` creates.
        #[arg(long, default_value = "scale", requires = "scale")]
        workspace: String,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Print the GraphQL schema (SDL); `schema.graphql` holds the same text.
    Schema,
    /// Exit 0 when the server at `--listen` answers `/healthz`, 1 otherwise.
    Healthcheck,
}

#[derive(Debug, Subcommand)]
enum TokenAction {
    /// Create an API token; the token alone is printed on the last line.
    Create {
        /// Slug of the workspace.
        #[arg(long)]
        workspace: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// Comma-separated scopes, e.g. `contacts:read,deals:*`.
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// Days until it expires; never when absent.
        #[arg(long)]
        expires_in: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply pending migrations (the default).
    Up,
    /// Roll back the last migrations.
    Down {
        /// How many to roll back.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli { config, command } = cli;
    telemetry::init(config.log_format);
    match command {
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Healthcheck => healthcheck(&config).await,
        Command::Migrate { action } => migrate(config, action.unwrap_or(MigrateAction::Up)).await,
        Command::Seed {
            demo,
            scale,
            workspace,
        } => {
            let config = config.resolve()?;
            let db = db::connect(&config.database_url(), config.db_max_connections).await?;
            db::migrate(&db).await?;
            if demo {
                report_demo(seed::demo(&db).await?);
            } else if let Some(contacts) = scale {
                let started = Instant::now();
                let counts = seed::scale(&db, &workspace, contacts).await?;
                println!(
                    "seeded workspace `{workspace}` in {:.1} s: {counts}",
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::Serve { demo } => serve(config, demo).await,
        Command::Token {
            action:
                TokenAction::Create {
                    workspace,
                    name,
                    scopes,
                    expires_in,
                },
        } => create_token(config, &workspace, name, scopes, expires_in).await,
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let config = config.resolve()?;
    let app = Application::build(config).await?;
    let state = app.state().clone();
    if demo {
        report_demo(seed::demo(&state.db).await?);
    }
    let url = format!("http://{}:{}/graphql", state.config.listen.ip(), app.port());
    tracing::info!(
        environment = state.config.environment.as_str(),
        database = %db::redact(&state.config.database_url()),
        "Pulse listening on {url}"
    );
    if state.config.environment == Environment::Development {
        println!("GraphiQL: {url}");
    }
    if demo {
        println!(
            "Demo logins (password `{}`): {}",
            seed::DEMO_PASSWORD,
            seed::DEMO_EMAILS.join(", ")
        );
    }
    let token = app.shutdown_token();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested: draining requests and closing WebSockets");
        token.cancel();
    });
    app.run_until_stopped().await
}

fn report_demo(outcome: seed::DemoOutcome) {
    match outcome {
        seed::DemoOutcome::Created(counts) => {
            println!("seeded the demo workspace `acme`: {counts}")
        }
        seed::DemoOutcome::AlreadyPresent => {
            println!("the demo workspace `acme` already exists; left as it is")
        }
    }
}

async fn create_token(
    config: Config,
    slug: &str,
    name: String,
    scopes: Vec<String>,
    expires_in: Option<u32>,
) -> anyhow::Result<()> {
    let config = config.resolve()?;
    let db = db::connect(&config.database_url(), config.db_max_connections).await?;
    db::migrate(&db).await?;
    let workspace = entity::workspace::Entity::find_by_slug(slug)
        .one(&db)
        .await
        .context("looking up the workspace")?
        .ok_or_else(|| anyhow::anyhow!("no workspace with slug `{slug}`"))?;
    let input = tokens::CreateApiToken {
        name,
        scopes,
        expires_at: expires_in
            .map(|days| chrono::Utc::now() + chrono::Duration::days(i64::from(days))),
    };
    let created =
        match tokens::create_api_token_as_system(&db, entity::WorkspaceId(workspace.id), input)
            .await
        {
            Ok(created) => created,
            Err(crate::Error::Invalid(errors)) => {
                let messages: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field.join("."), e.message))
                    .collect();
                anyhow::bail!("{}", messages.join("; "))
            }
            Err(error) => return Err(anyhow::anyhow!(error).context("creating the API token")),
        };
    let scopes = tokens::stored_scopes(&created.row).to_strings().join(",");
    println!(
        "Created API token `{}` ({}) in workspace `{slug}` with scopes {scopes}.",
        created.row.name, created.row.prefix
    );
    println!("It is shown once; store it now:");
    println!("{}", created.token);
    Ok(())
}

async fn migrate(config: Config, action: MigrateAction) -> anyhow::Result<()> {
    let config = config.resolve()?;
    let db = db::connect(&config.database_url(), config.db_max_connections).await?;
    match action {
        MigrateAction::Up => db::migrate(&db).await?,
        MigrateAction::Down { steps } => Migrator::down(&db, Some(steps))
            .await
            .context("rolling back migrations")?,
        MigrateAction::Status => {
            for migration in Migrator::get_migration_with_status(&db)
                .await
                .context("reading migration status")?
            {
                println!("{}\t{}", migration.status(), migration.name());
            }
        }
    }
    Ok(())
}

/// A minimal HTTP/1.1 probe, so the container image needs no curl.
async fn healthcheck(config: &Config) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut address = config.listen;
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        stream
            .write_all(
                format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(std::time::Duration::from_secs(5), probe)
        .await
        .context("health check timed out")?
        .with_context(|| format!("connecting to {address}"))?;
    if response.starts_with(b"HTTP/1.1 200") {
        println!("healthy");
        Ok(())
    } else {
        anyhow::bail!(
            "unhealthy: {}",
            String::from_utf8_lossy(response.split(|b| *b == b'\r').next().unwrap_or_default())
        )
    }
}
