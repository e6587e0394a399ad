//! Fan-out benchmark: N WebSocket subscribers of `pipelineEvents` over the
//! real graphql-transport-ws protocol, deal moves at R per second through
//! HTTP, and for every delivered event the time from sending the move to the
//! subscriber receiving it.
//!
//! Against a running server (e.g. `pulse serve --demo`):
//!
//! ```text
//! cargo run --release --example fanout -- --url http://127.0.0.1:8080 \
//!     --subscribers 1000 --rate 5 --seconds 20 --server-pid $(pgrep -f 'pulse.*serve')
//! ```
//!
//! Reports event-to-client latency p50/p99/max, delivered versus expected,
//! and (with `--server-pid`) the server's resident memory per idle
//! subscriber.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

#[derive(Parser)]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Subscribers to open.
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Deal moves per second.
    #[arg(long, default_value_t = 5.0)]
    rate: f64,
    /// How long to move deals, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Log in as.
    #[arg(long, default_value = "manager@acme.test")]
    email: String,
    /// Password.
    #[arg(long, default_value = "pulse-demo-password")]
    password: String,
    /// The pipeline whose deals move.
    #[arg(long, default_value = "New Business")]
    pipeline: String,
    /// The server's process id, to read its memory from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Sockets opened at a time.
    #[arg(long, default_value_t = 200)]
    connect_batch: usize,
}

/// Messages that were not events of our moves (the first few are printed).
static UNEXPECTED: AtomicU64 = AtomicU64::new(0);

/// When each move was sent, by deal id: (version after the move, time).
/// Read by every subscriber, written once per move.
type Sent = Arc<std::sync::RwLock<HashMap<String, Vec<(i64, Instant)>>>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let http = reqwest::Client::new();
    let graphql = format!("{}/graphql", args.url);
    let ws_url = format!("{}/graphql/ws", args.url.replacen("http", "ws", 1));

    let login = post(&http, &graphql, None,
        "mutation ($input: LoginInput!) { login(input: $input) { accessToken userErrors { message } } }",
        json!({ "input": { "email": args.email, "password": args.password } })).await?;
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("login failed: {login}"))?
        .to_owned();

    let pipelines = post(
        &http,
        &graphql,
        Some(&token),
        "{ pipelines { id name stages { id name deals { id version } } } }",
        json!({}),
    )
    .await?;
    let pipeline = pipelines["data"]["pipelines"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == args.pipeline.as_str()))
        .ok_or_else(|| anyhow::anyhow!("no pipeline {}: {pipelines}", args.pipeline))?
        .clone();
    let stages: Vec<String> = pipeline["stages"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    // Deals to move: (id, version, stage index).
    let mut deals: Vec<(String, i64, usize)> = Vec::new();
    for (index, stage) in pipeline["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        for deal in stage["deals"].as_array().into_iter().flatten() {
            deals.push((
                deal["id"].as_str().unwrap_or_default().to_owned(),
                deal["version"].as_i64().unwrap_or(0),
                index,
            ));
        }
    }
    anyhow::ensure!(
        deals.len() >= 2 && stages.len() >= 2,
        "the pipeline needs deals and stages"
    );

    let rss_before = args.server_pid.map(rss_kib);
    let sent: Sent = Arc::default();
    let delivered = Arc::new(AtomicU64::new(0));
    // One list per subscriber, so recording a latency contends with nothing.
    let mut latency_lists: Vec<Arc<Mutex<Vec<u32>>>> = Vec::with_capacity(args.subscribers);
    let subscription = format!(
        r#"{{"type":"subscribe","id":"1","payload":{{"query":"subscription ($p: ID!) {{ pipelineEvents(pipelineId: $p) {{ seq kind dealId toStageId deal {{ version }} }} }}","variables":{{"p":"{}"}}}}}}"#,
        pipeline["id"].as_str().unwrap_or_default()
    );

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.subscribers);
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(args.subscribers.max(1));
    for n in 0..args.subscribers {
        let (url, token, subscription) = (ws_url.clone(), token.clone(), subscription.clone());
        let latencies: Arc<Mutex<Vec<u32>>> = Arc::default();
        latency_lists.push(latencies.clone());
        let (sent, delivered, ready) = (sent.clone(), delivered.clone(), ready_tx.clone());
        tasks.push(tokio::spawn(async move {
            if let Err(error) = subscriber(
                &url,
                &token,
                &subscription,
                sent,
                delivered,
                latencies,
                ready,
            )
            .await
            {
                eprintln!("subscriber {n}: {error}");
            }
        }));
        if (n + 1) % args.connect_batch == 0 {
            for _ in 0..args.connect_batch {
                ready_rx.recv().await;
            }
        }
    }
    for _ in 0..args.subscribers % args.connect_batch {
        ready_rx.recv().await;
    }
    println!(
        "{} subscribers connected in {:.1} s",
        args.subscribers,
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_idle = args.server_pid.map(rss_kib);
    if let (Some(before), Some(idle)) = (rss_before, rss_idle) {
        println!(
            "server RSS: {:.1} MiB before, {:.1} MiB with {} idle subscribers: {:.1} KiB per subscriber",
            before as f64 / 1024.0,
            idle as f64 / 1024.0,
            args.subscribers,
            (idle.saturating_sub(before)) as f64 / args.subscribers as f64
        );
    }

    // Move deals at the rate: each move takes the next deal one stage on.
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let moves = (args.rate * args.seconds as f64).round() as usize;
    let mut ticker = tokio::time::interval(interval);
    let mut made = 0u64;
    let mut failed = 0u64;
    for i in 0..moves {
        ticker.tick().await;
        let count = deals.len();
        let deal = &mut deals[i % count];
        let target = (deal.2 + 1) % stages.len();
        sent.write()
            .unwrap()
            .entry(deal.0.clone())
            .or_default()
            .push((deal.1 + 1, Instant::now()));
        let result = post(&http, &graphql, Some(&token),
            "mutation ($input: MoveDealInput!) { moveDeal(input: $input) { deal { version } userErrors { message } } }",
            json!({ "input": { "id": deal.0, "version": deal.1, "stageId": stages[target] } })).await?;
        match result["data"]["moveDeal"]["deal"]["version"].as_i64() {
            Some(version) => {
                deal.1 = version;
                deal.2 = target;
                made += 1;
            }
            None => {
                failed += 1;
                eprintln!("move failed: {result}");
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_after = args.server_pid.map(rss_kib);

    let expected = made * args.subscribers as u64;
    let mut latencies: Vec<u32> = latency_lists
        .iter()
        .flat_map(|list| list.lock().unwrap().clone())
        .collect();
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .map_or(0.0, |us| *us as f64 / 1000.0)
    };
    println!(
        "moves: {made} at {:.1}/s ({failed} failed); delivered {} of {expected} expected events",
        args.rate,
        delivered.load(Ordering::Relaxed)
    );
    println!(
        "event-to-client latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
    if let Some(after) = rss_after {
        println!("server RSS after the run: {:.1} MiB", after as f64 / 1024.0);
    }
    for task in tasks {
        task.abort();
    }
    Ok(())
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let mut request = http
        .post(url)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Ok(request.send().await?.json().await?)
}

async fn subscriber(
    url: &str,
    token: &str,
    subscription: &str,
    sent: Sent,
    delivered: Arc<AtomicU64>,
    latencies: Arc<Mutex<Vec<u32>>>,
    ready: tokio::sync::mpsc::Sender<()>,
) -> anyhow::Result<()> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket.send(Message::Text(init.to_string().into())).await?;
    let ack = socket
        .next()
        .await
        .ok_or_else(|| anyhow::anyhow!("closed before ack"))??;
    anyhow::ensure!(
        matches!(&ack, Message::Text(text) if text.as_str().contains("connection_ack")),
        "expected connection_ack, got {ack:?}"
    );
    socket
        .send(Message::Text(subscription.to_owned().into()))
        .await?;
    ready.send(()).await.ok();
    while let Some(message) = socket.next().await {
        let text = match message? {
            Message::Text(text) => text,
            Message::Close(frame) => anyhow::bail!("closed by the server: {frame:?}"),
            _ => continue,
        };
        let received = Instant::now();
        // A light parse: this client shares the machine with the server.
        let (Some(deal), Some(version)) = (
            field(text.as_str(), "\"dealId\":\""),
            field(text.as_str(), "\"version\":").and_then(|v| v.parse::<i64>().ok()),
        ) else {
            if text.as_str().contains("\"ping\"") {
                socket
                    .send(Message::Text(r#"{"type":"pong"}"#.into()))
                    .await?;
            } else if UNEXPECTED.fetch_add(1, Ordering::Relaxed) < 5 {
                eprintln!("unexpected message: {text}");
            }
            continue;
        };
        let sent_at = sent
            .read()
            .unwrap()
            .get(deal)
            .and_then(|moves| moves.iter().find(|(v, _)| *v == version).map(|(_, at)| *at));
        if sent_at.is_none() && UNEXPECTED.fetch_add(1, Ordering::Relaxed) < 5 {
            eprintln!("event of no move of ours: {text}");
        }
        if let Some(sent_at) = sent_at {
            delivered.fetch_add(1, Ordering::Relaxed);
            let micros =
                u32::try_from(received.duration_since(sent_at).as_micros()).unwrap_or(u32::MAX);
            latencies.lock().unwrap().push(micros);
        }
    }
    Ok(())
}

/// The value after `key` in `text`, up to the next quote, comma or brace.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let start = text.find(key)? + key.len();
    let rest = &text[start..];
    let end = rest.find(['"', ',', '}']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
