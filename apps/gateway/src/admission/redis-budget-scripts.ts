// Atomic budget scripts for Redis: one script checks every scope of a request and reserves in all of them, so
// instances sharing Redis can never both take the last of a budget. Amounts are integer nano-dollars, passed and
// stored as strings (HINCRBY), never formatted by Lua (which could write a large number with an exponent).
//
// Per scope and period, two keys:
//   h  hash: `spent` (finished requests), `reserved` (sum of live reservations), `r:<id>` (one reservation)
//   z  sorted set of reservation ids scored by expiry (ms, Redis's clock): a reservation of an instance that
//      died is dropped after the request deadline, never held until the period ends
// and per settled request, `<h of its first scope>:settled:<id>`, set by its settle so that the spend is added
// exactly once however often the settle runs; it expires some minutes after.
// Both expire some time after the period ends. A settled spend is also added to the scope's hash of the other
// period (the month of a day budget, the day of a month budget), so a budget whose period changes keeps it.
//
// Every key of one scope shares its hash tag ({t:<tenant>} or {k:<key>}), but a request's tenant and key scopes
// differ: the scripts touch both at once, so Redis Cluster (CROSSSLOT) is not supported, only one Redis server
// (with replicas or Sentinel).

const common = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function drop(h, z, id)
  local a = redis.call('HGET', h, 'r:' .. id)
  if a then
    redis.call('HDEL', h, 'r:' .. id)
    if a ~= '0' then redis.call('HINCRBY', h, 'reserved', '-' .. a) end
  end
  redis.call('ZREM', z, id)
end
`;

// KEYS: h, z per scope. ARGV: id, need (nano, string), reservation ttl ms, scope count, then per scope: amount
// (nano), keys' expiry (ms since the epoch). Returns: refused scope (0 none, else 1-based), then per scope the
// spent and reserved amounts before this reservation.
export const BUDGET_RESERVE_LUA = `${common}
local id, need, ttl, n = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local now = now_ms()
local refused = 0
local out = { 0 }
for i = 0, n - 1 do
  local h, z = KEYS[i*2+1], KEYS[i*2+2]
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now, 'LIMIT', 0, 1000)
  for _, old in ipairs(expired) do drop(h, z, old) end
  local spent = tonumber(redis.call('HGET', h, 'spent') or '0')
  local reserved = tonumber(redis.call('HGET', h, 'reserved') or '0')
  if refused == 0 and spent + reserved >= tonumber(ARGV[5 + i*2]) then refused = i + 1 end
  table.insert(out, spent)
  table.insert(out, reserved)
end
if refused == 0 then
  for i = 0, n - 1 do
    local h, z, expire_at = KEYS[i*2+1], KEYS[i*2+2], ARGV[6 + i*2]
    redis.call('HSET', h, 'r:' .. id, need)
    redis.call('HINCRBY', h, 'reserved', need)
    redis.call('ZADD', z, now + ttl, id)
    redis.call('PEXPIREAT', h, expire_at)
    redis.call('PEXPIREAT', z, expire_at)
  end
end
out[1] = refused
return out
`;

// KEYS: h, z, other period's h per scope, then the settled marker of this reservation. ARGV: id, actual spend
// (nano, string), scope count, the marker's time to live (ms), then per scope the expiry of h and of the other h.
// Every settle is idempotent: the marker is set (NX) in the same script, and the spend is added only by the run
// that set it, whether or not the reservation is still held (it may have expired and been dropped by another
// request while a retry waited: the spend must still count). A second run of the same settle (a retry of a call
// whose reply was lost, or ioredis resending it after a reconnect) finds the marker and changes nothing.
export const BUDGET_SETTLE_LUA = `${common}
local id, actual, n, marker_ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
if not redis.call('SET', KEYS[n*3+1], '1', 'NX', 'PX', marker_ttl) then return 0 end
for i = 0, n - 1 do
  local h, z, other = KEYS[i*3+1], KEYS[i*3+2], KEYS[i*3+3]
  drop(h, z, id)
  if actual ~= '0' then
    redis.call('HINCRBY', h, 'spent', actual)
    redis.call('PEXPIREAT', h, ARGV[5 + i*2])
    redis.call('HINCRBY', other, 'spent', actual)
    redis.call('PEXPIREAT', other, ARGV[6 + i*2])
  end
end
return 1
`;
