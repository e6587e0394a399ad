# Latency of single parts of the customer-360 query: python3 docs/bench/simple.py,
# with `pulse serve` on 127.0.0.1:18080 over a `seed --scale` workspace (docs/BENCHMARKS.md).
import json, time, urllib.request, statistics
URL = "http://127.0.0.1:18080/graphql"
def post(q, v=None, token=None):
    req = urllib.request.Request(URL, data=json.dumps({"query": q, "variables": v or {}}).encode(), headers={"content-type": "application/json", **({"authorization": "Bearer " + token} if token else {})})
    return json.load(urllib.request.urlopen(req))
token = post('mutation{ login(input:{email:"owner@scale.test", password:"pulse-demo-password"}){ accessToken } }')["data"]["login"]["accessToken"]
for name, q in [("viewer", "{ viewer { kind } }"), ("contacts(first:20) ids", "{ contacts(first: 20) { edges { node { id } } } }"), ("contacts totalCount", "{ contacts(first: 1) { totalCount } }"), ("timeline only", "{ contacts(first: 20) { edges { node { timeline(first: 10) { edges { cursor } } } } } }"), ("stats only", "{ contacts(first: 20) { edges { node { stats { wonDeals } } } } }")]:
    ts = []
    for i in range(20):
        t = time.perf_counter(); r = post(q, None, token); ts.append((time.perf_counter()-t)*1000)
        assert "errors" not in r, r
    print(f"{name}: p50 {statistics.median(ts):.1f} ms")
