# Customer-360 latency: python3 docs/bench/c360.py owner@scale.test, from the
# repository root, with `pulse serve` on 127.0.0.1:18080 (see docs/BENCHMARKS.md).
import json, sys, time, urllib.request, statistics
URL = "http://127.0.0.1:18080/graphql"
def post(q, v=None, token=None):
    req = urllib.request.Request(URL, data=json.dumps({"query": q, "variables": v or {}}).encode(), headers={"content-type": "application/json", **({"authorization": "Bearer " + token} if token else {})})
    return json.load(urllib.request.urlopen(req))
email = sys.argv[1]
login = post('mutation($e:String!){ login(input:{email:$e, password:"pulse-demo-password"}){ accessToken } }', {"e": email})
token = login["data"]["login"]["accessToken"]
Q = open("tests/api/crm.rs").read().split('const CUSTOMER_360: &str = "')[1].split('";')[0]
for n in [1, 20, 50]:
    times = []
    for i in range(30):
        t = time.perf_counter(); r = post(Q, {"n": n}, token); times.append((time.perf_counter() - t) * 1000)
        assert "errors" not in r, r
    times.sort()
    print(f"customer-360, page of {n}: p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times)*0.95)-1]:.1f} ms (30 requests)")
