# Latency of every analytics metric and of the dashboard KPI set:
# python3 docs/bench/analytics.py, with `pulse serve` on 127.0.0.1:18080 over
# a `seed --scale` workspace (docs/BENCHMARKS.md). Sequential requests; p50
# and p95 of wall time over 15 runs each, after one warm-up run.
import json, time, urllib.request, statistics
URL = "http://127.0.0.1:18080/graphql"
def post(q, v=None, token=None):
    req = urllib.request.Request(URL, data=json.dumps({"query": q, "variables": v or {}}).encode(), headers={"content-type": "application/json", **({"authorization": "Bearer " + token} if token else {})})
    return json.load(urllib.request.urlopen(req))
token = post('mutation{ login(input:{email:"owner@scale.test", password:"pulse-demo-password"}){ accessToken } }')["data"]["login"]["accessToken"]
pipeline = post("{ pipelines { id } }", None, token)["data"]["pipelines"][0]["id"]
year = '{ from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z" }'
funnel = '["trial_started", "workspace_created", "db_setup_started", "db_setup_completed", "first_report_created", "subscription_started"]'
metrics = [
    ("pipelineSummary", f'pipelineSummary(pipelineId: "{pipeline}") {{ dealCount rottingCount value {{ amount }} }}'),
    ("stageFunnel", f'stageFunnel(pipelineId: "{pipeline}") {{ entered advanced dropped medianDaysInStage }}'),
    ("sales (year)", f"sales(filter: {year}) {{ winRate averageDealSize {{ amount }} medianSalesCycleDays salesVelocityPerDay }}"),
    ("revenueSeries (months, 12)", "revenueSeries(interval: MONTH) { start value { amount } }"),
    ("revenueSeries (days, 30)", "revenueSeries(interval: DAY) { start value { amount } }"),
    ("forecast", "forecast { month weighted { amount } calibrated { amount } won { amount } }"),
    ("activityStats", "activityStats { kind scheduled done overdue }"),
    ("channelPerformance", "channelPerformance { channel interactions leads firstTouchDeals lastTouchDeals }"),
    ("eventFunnel (6 steps)", f"eventFunnel(steps: {funnel}) {{ reached }}"),
    ("cohortRetention (6)", "cohortRetention { month size retention }"),
    ("rfmSegments", "rfmSegments { name contacts }"),
    ("leaderboard (year)", f"leaderboard(filter: {year}) {{ wonDeals activitiesDone }}"),
    ("goalProgress", "goalProgress { actual share }"),
]
def measure(name, q, runs=15):
    assert "errors" not in post(q, None, token), post(q, None, token)
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); r = post(q, None, token); ts.append((time.perf_counter() - t) * 1000)
        assert "errors" not in r, r
    ts.sort()
    print(f"| {name} | {statistics.median(ts):.1f} ms | {ts[int(len(ts) * 0.95) - 1]:.1f} ms |")
print("| metric | p50 | p95 |\n|---|---|---|")
for name, selection in metrics:
    measure(name, "{ analytics { " + selection + " } }")
# The dashboard KPI set as the `dashboard` subscription serves it (pipeline
# totals, won/lost, win rate, deal size, cycle, velocity, activities), as
# the equivalent analytics queries in one request; then with the forecast.
measure("dashboard KPI set (pipelineSummary + sales + activityStats)", "{ analytics { "
    + f'pipelineSummary(pipelineId: "{pipeline}") {{ dealCount value {{ amount }} weightedValue {{ amount }} rottingCount }} sales {{ winRate openDeals averageDealSize {{ amount }} salesVelocityPerDay }} activityStats {{ overdue }}'
    + " } }")
measure("dashboard KPI set (summary + sales + activityStats + forecast)", "{ analytics { "
    + f'pipelineSummary(pipelineId: "{pipeline}") {{ dealCount }} sales {{ winRate openDeals }} activityStats {{ overdue }} forecast {{ weighted {{ amount }} }}'
    + " } }")
