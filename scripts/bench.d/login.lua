-- wrk: the demo guardian of a municipality (BENCH_SLUG, bench-1 by default) signs in, again and again.
wrk.method = "POST"
wrk.path = "/" .. (os.getenv("BENCH_SLUG") or "bench-1") .. "/api/v1/auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"paul.alain@demo.example","password":"Bench#Portail2026"}'
