-- wrk: the demo guardian of bench-1 signs in, again and again.
wrk.method = "POST"
wrk.path = "/bench-1/api/v1/auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"paul.alain@demo.example","password":"Bench#Portail2026"}'
