//! Query limits (DESIGN.md section 5), enforced before any resolver runs:
//! query length, depth, alias and directive counts are checked on the parsed
//! document, complexity after validation. Every rejection is a GraphQL error
//! with `extensions.code = BAD_USER_INPUT` and `extensions.limit` naming the
//! limit, so clients can tell them apart.
//!
//! The same extension counts resolver calls, which is how the tests prove that
//! a rejected query never reached one.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use async_graphql::{
    ErrorExtensionValues, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
    },
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use super::budget::{Budget, Charge};
use crate::{config::Limits, error::code};

/// The limits a query is checked against.
#[derive(Clone, Copy, Debug)]
pub struct QueryLimits {
    /// Longest query text, in characters.
    pub query_length: usize,
    /// Deepest field nesting.
    pub depth: usize,
    /// Highest complexity.
    pub complexity: usize,
    /// Most aliases.
    pub aliases: usize,
    /// Most directives.
    pub directives: usize,
    /// Whether `__schema` and `__type` may be queried (off in production).
    pub introspection: bool,
}

impl From<&Limits> for QueryLimits {
    fn from(limits: &Limits) -> Self {
        QueryLimits {
            query_length: limits.max_query_length,
            depth: limits.max_depth,
            complexity: limits.max_complexity,
            aliases: limits.max_aliases,
            directives: limits.max_directives,
            introspection: true,
        }
    }
}

/// A limit a query went over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exceeded {
    /// Query text too long.
    QueryLength(usize),
    /// Nested too deeply.
    Depth(usize),
    /// Too costly.
    Complexity(usize),
    /// Too many aliases.
    Aliases(usize),
    /// Too many directives.
    Directives(usize),
    /// `__schema` or `__type` queried while introspection is off.
    Introspection,
}

impl Exceeded {
    /// The error answered for this rejection.
    pub fn to_server_error(self) -> ServerError {
        let limit = |name: &'static str, max: usize, what: &str| {
            (
                code::BAD_USER_INPUT,
                format!("{what} the limit of {max}."),
                Some((name, max)),
            )
        };
        let (code, message, exceeded) = match self {
            Exceeded::QueryLength(max) => {
                limit("queryLength", max, "The query text is longer than")
            }
            Exceeded::Depth(max) => limit("depth", max, "The query nests fields deeper than"),
            Exceeded::Complexity(max) => {
                limit("complexity", max, "The query's complexity is above")
            }
            Exceeded::Aliases(max) => limit("aliases", max, "The query uses more aliases than"),
            Exceeded::Directives(max) => {
                limit("directives", max, "The query uses more directives than")
            }
            Exceeded::Introspection => (
                code::FORBIDDEN,
                "Introspection is disabled on this server.".to_owned(),
                None,
            ),
        };
        let mut error = ServerError::new(message, None);
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", code);
        if let Some((name, max)) = exceeded {
            extensions.set("limit", name);
            extensions.set("max", max as u64);
        }
        error.extensions = Some(extensions);
        error
    }
}

/// Counts a document's depth, aliases and directives with fragments expanded
/// where they are spread (so a fragment spread 50 times counts 50 times), and
/// stops at the first limit exceeded. Each field visited costs at least 1
/// complexity, so visiting more fields than the complexity limit allows is
/// itself a rejection; that bounds the walk on fragment bombs.
pub fn check_document(document: &ExecutableDocument, limits: &QueryLimits) -> Result<(), Exceeded> {
    let mut walk = Walk {
        document,
        limits,
        aliases: 0,
        directives: 0,
        fields: 0,
        spreads: Vec::new(),
    };
    for (_, operation) in document.operations.iter() {
        walk.count_directives(operation.node.directives.len())?;
        walk.selection_set(&operation.node.selection_set.node, 0)?;
    }
    Ok(())
}

struct Walk<'a> {
    document: &'a ExecutableDocument,
    limits: &'a QueryLimits,
    aliases: usize,
    directives: usize,
    fields: usize,
    /// Fragments being expanded, to stop on cycles (validation reports them).
    spreads: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    fn count_directives(&mut self, n: usize) -> Result<(), Exceeded> {
        self.directives += n;
        if self.directives > self.limits.directives {
            return Err(Exceeded::Directives(self.limits.directives));
        }
        Ok(())
    }

    fn selection_set(&mut self, set: &'a SelectionSet, depth: usize) -> Result<(), Exceeded> {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if depth + 1 > self.limits.depth {
                        return Err(Exceeded::Depth(self.limits.depth));
                    }
                    if !self.limits.introspection
                        && matches!(field.name.node.as_str(), "__schema" | "__type")
                    {
                        return Err(Exceeded::Introspection);
                    }
                    self.fields += 1;
                    if self.fields > self.limits.complexity {
                        return Err(Exceeded::Complexity(self.limits.complexity));
                    }
                    if field.alias.is_some() {
                        self.aliases += 1;
                        if self.aliases > self.limits.aliases {
                            return Err(Exceeded::Aliases(self.limits.aliases));
                        }
                    }
                    self.count_directives(field.directives.len())?;
                    self.selection_set(&field.selection_set.node, depth + 1)?;
                }
                Selection::InlineFragment(fragment) => {
                    self.count_directives(fragment.node.directives.len())?;
                    self.selection_set(&fragment.node.selection_set.node, depth)?;
                }
                Selection::FragmentSpread(spread) => {
                    self.count_directives(spread.node.directives.len())?;
                    let name = spread.node.fragment_name.node.as_str();
                    if self.spreads.contains(&name) {
                        continue;
                    }
                    let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    else {
                        continue;
                    };
                    self.count_directives(fragment.node.directives.len())?;
                    self.spreads.push(name);
                    self.selection_set(&fragment.node.selection_set.node, depth)?;
                    self.spreads.pop();
                }
            }
        }
        Ok(())
    }
}

/// Counters the tests and `/metrics` read.
#[derive(Debug, Default)]
pub struct GraphqlCounters {
    /// Field resolutions started.
    pub resolver_calls: AtomicU64,
    /// Operations rejected by a limit.
    pub rejected: AtomicU64,
}

/// The extension enforcing [`QueryLimits`] and the complexity-priced rate
/// limit, and counting resolver calls.
pub struct LimitsExtension {
    limits: QueryLimits,
    counters: Arc<GraphqlCounters>,
    budget: Arc<Budget>,
}

impl LimitsExtension {
    /// An extension enforcing `limits` and `budget`, counting into `counters`.
    pub fn new(limits: QueryLimits, counters: Arc<GraphqlCounters>, budget: Arc<Budget>) -> Self {
        LimitsExtension {
            limits,
            counters,
            budget,
        }
    }
}

impl ExtensionFactory for LimitsExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsGuard {
            limits: self.limits,
            counters: self.counters.clone(),
            budget: self.budget.clone(),
            remaining: std::sync::Mutex::new(None),
        })
    }
}

struct LimitsGuard {
    limits: QueryLimits,
    counters: Arc<GraphqlCounters>,
    budget: Arc<Budget>,
    /// Points left after this operation, reported in `extensions.rateLimit`.
    remaining: std::sync::Mutex<Option<u64>>,
}

impl LimitsGuard {
    fn reject(&self, exceeded: Exceeded) -> ServerError {
        self.counters.rejected.fetch_add(1, Ordering::Relaxed);
        exceeded.to_server_error()
    }
}

#[async_trait::async_trait]
impl Extension for LimitsGuard {
    /// Gives every error that has no code one: errors that reach this point
    /// without a code are the parser's and validator's, i.e. the caller's.
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let remaining = self.remaining.lock().ok().and_then(|r| *r);
        if let Some(remaining) = remaining
            && self.budget.limit() > 0
        {
            let mut report = async_graphql::indexmap::IndexMap::new();
            report.insert(
                async_graphql::Name::new("limit"),
                Value::from(self.budget.limit()),
            );
            report.insert(
                async_graphql::Name::new("remaining"),
                Value::from(remaining),
            );
            response
                .extensions
                .insert("rateLimit".to_owned(), Value::Object(report));
        }
        for error in &mut response.errors {
            let extensions = error.extensions.get_or_insert_with(Default::default);
            if extensions.get("code").is_none() {
                extensions.set("code", code::BAD_USER_INPUT);
            }
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if query.len() > self.limits.query_length
            && query.chars().count() > self.limits.query_length
        {
            return Err(self.reject(Exceeded::QueryLength(self.limits.query_length)));
        }
        let document = next.run(ctx, query, variables).await?;
        check_document(&document, &self.limits).map_err(|exceeded| self.reject(exceeded))?;
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if result.complexity > self.limits.complexity {
            return Err(vec![
                self.reject(Exceeded::Complexity(self.limits.complexity)),
            ]);
        }
        if let Some(viewer) = ctx.data_opt::<crate::domain::access::Viewer>()
            && let Some(caller) = viewer.actor().id
        {
            match self.budget.charge(caller, result.complexity.max(1)) {
                Charge::Allowed { remaining } => {
                    if let Ok(mut slot) = self.remaining.lock() {
                        *slot = Some(remaining);
                    }
                }
                Charge::Refused { retry_after } => {
                    self.counters.rejected.fetch_add(1, Ordering::Relaxed);
                    let mut error = ServerError::new(
                        format!("Rate limit exceeded: retry in {} s.", retry_after.as_secs()),
                        None,
                    );
                    let mut extensions = ErrorExtensionValues::default();
                    extensions.set("code", code::RATE_LIMITED);
                    extensions.set("retryAfterSeconds", retry_after.as_secs());
                    error.extensions = Some(extensions);
                    return Err(vec![error]);
                }
            }
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    const LIMITS: QueryLimits = QueryLimits {
        query_length: 15_000,
        depth: 3,
        complexity: 50,
        aliases: 2,
        directives: 2,
        introspection: true,
    };

    fn check(query: &str) -> Result<(), Exceeded> {
        check_document(&parse_query(query).expect("test query parses"), &LIMITS)
    }

    #[test]
    fn depth_counts_fields_through_fragments() {
        assert_eq!(check("{ a { b { c } } }"), Ok(()));
        assert_eq!(check("{ a { b { c { d } } } }"), Err(Exceeded::Depth(3)));
        assert_eq!(
            check("{ a { ...F } } fragment F on T { b { ... on U { c { d } } } }"),
            Err(Exceeded::Depth(3))
        );
    }

    #[test]
    fn aliases_and_directives_count_every_expansion() {
        assert_eq!(check("{ x: a y: a }"), Ok(()));
        assert_eq!(check("{ x: a y: a z: a }"), Err(Exceeded::Aliases(2)));
        assert_eq!(
            check("{ ...F ...F } fragment F on Q { x: a y: a }"),
            Err(Exceeded::Aliases(2))
        );
        assert_eq!(
            check("{ a @skip(if: false) b @skip(if: false) c @skip(if: false) }"),
            Err(Exceeded::Directives(2))
        );
    }

    #[test]
    fn fragment_bombs_are_stopped_by_the_field_budget() {
        let bomb = "{ ...F3 } fragment F3 on Q { ...F2 ...F2 ...F2 ...F2 } \
                    fragment F2 on Q { ...F1 ...F1 ...F1 ...F1 } fragment F1 on Q { a b c d }";
        assert_eq!(check(bomb), Err(Exceeded::Complexity(50)));
    }

    #[test]
    fn introspection_can_be_switched_off() {
        let closed = QueryLimits {
            introspection: false,
            ..LIMITS
        };
        let document = parse_query("{ ...F } fragment F on Q { __schema { types { name } } }")
            .expect("parses");
        assert_eq!(
            check_document(&document, &closed),
            Err(Exceeded::Introspection)
        );
        let typename = parse_query("{ __typename }").expect("parses");
        assert_eq!(check_document(&typename, &closed), Ok(()));
    }

    #[test]
    fn fragment_cycles_do_not_hang() {
        assert_eq!(check("{ ...F } fragment F on Q { a ...F }"), Ok(()));
    }
}
