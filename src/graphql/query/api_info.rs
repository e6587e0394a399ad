//! `apiInfo`: what this server is and which limits it enforces, so clients can
//! size their queries and pages before they are rejected.

use async_graphql::{Context, Object, SimpleObject};

use crate::config::Config;

/// Facts about the running server, fixed at start.
#[derive(Clone, Debug)]
pub struct ServerInfo {
    environment: &'static str,
    limits: ApiLimits,
}

impl From<&Config> for ServerInfo {
    fn from(config: &Config) -> Self {
        let limits = &config.limits;
        ServerInfo {
            environment: config.environment.as_str(),
            limits: ApiLimits {
                max_body_bytes: limits.max_body_bytes as u64,
                max_depth: limits.max_depth as u32,
                max_complexity: limits.max_complexity as u32,
                max_aliases: limits.max_aliases as u32,
                max_directives: limits.max_directives as u32,
                max_batch: limits.max_batch as u32,
                max_query_length: limits.max_query_length as u32,
                default_page_size: limits.default_page_size as u32,
                max_page_size: limits.max_page_size as u32,
            },
        }
    }
}

/// The request limits this server enforces.
#[derive(Clone, Debug, SimpleObject)]
pub struct ApiLimits {
    /// Largest request body in bytes; larger bodies get HTTP 413.
    max_body_bytes: u64,
    /// Deepest field nesting of a query.
    max_depth: u32,
    /// Highest query complexity; a list costs its page size times its selection.
    max_complexity: u32,
    /// Most aliases in one query.
    max_aliases: u32,
    /// Most directives in one query.
    max_directives: u32,
    /// Most operations in one batched HTTP request.
    max_batch: u32,
    /// Longest query text in characters.
    max_query_length: u32,
    /// Page size of a list when `first`/`last` is not given.
    default_page_size: u32,
    /// Largest `first`/`last` a list accepts.
    max_page_size: u32,
}

/// Wraps [`ServerInfo`] as the `ApiInfo` GraphQL type.
pub struct ApiInfo<'a>(&'a ServerInfo);

/// The server's version, mode and request limits.
#[Object]
impl ApiInfo<'_> {
    /// Pulse's version (semver of the running binary).
    async fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    /// `development` or `production`.
    async fn environment(&self) -> &'static str {
        self.0.environment
    }

    /// The limits requests must stay within.
    async fn limits(&self) -> &ApiLimits {
        &self.0.limits
    }
}

/// The `apiInfo` root field.
#[derive(Default)]
pub struct ApiInfoQuery;

#[Object]
impl ApiInfoQuery {
    /// Facts about this server: version, mode and request limits. Needs no
    /// credentials.
    async fn api_info<'a>(&self, ctx: &Context<'a>) -> async_graphql::Result<ApiInfo<'a>> {
        Ok(ApiInfo(ctx.data::<ServerInfo>()?))
    }
}
