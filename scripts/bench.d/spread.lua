-- wrk: each request asks SPREAD_PAGE ("/", "/factures", ...) of a household of a municipality
-- drawn at random among those of SPREAD_FILE (lines "slug cookie"), with that household's
-- session cookie: signed-in pages spread over many schemas, as pgbench spreads its own.
local entries = {}
for line in io.lines(os.getenv("SPREAD_FILE")) do
  local slug, cookie = line:match("^(%S+) (%S+)$")
  if slug then entries[#entries + 1] = { slug, cookie } end
end
local page = os.getenv("SPREAD_PAGE") or "/"
math.randomseed(os.time())
request = function()
  local e = entries[math.random(1, #entries)]
  return wrk.format("GET", "/" .. e[1] .. page, { Cookie = e[2] })
end
