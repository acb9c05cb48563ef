-- wrk: each request asks the home page of a municipality drawn at random among N.
local n = tonumber(os.getenv("BENCH_TENANTS") or "200")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/bench-" .. math.random(1, n) .. "/")
end
