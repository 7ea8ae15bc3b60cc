// Atomic admission scripts for Redis: one script checks every scope and takes every counter, so
// instances sharing Redis can never both take the last unit. Time comes from the Redis server
// (TIME), so instances with skewed clocks still share one window.
//
// Per scope, five keys:
//   conc  sorted set of lease ids scored by lease expiry (ms): slots free themselves if an instance dies
//   req   sorted set of lease ids scored by admission time: the request sliding log
//   tok   sorted set of lease ids scored by admission time: the token sliding log
//   amt   hash lease id -> tokens reserved (then used)
//   sum   string: the sum of amt over the live token entries
// ARGV: lease id, window ms, lease ttl ms, estimated tokens, scope count, then per scope: max concurrent,
// requests/min, tokens/min (0 = no limit).
// Returns: admitted (1/0), refused limit (0 none, 1 concurrency, 2 requests, 3 tokens), refused scope index,
// retry ms, then per scope: requests used, requests reset ms, tokens used, tokens reset ms, tokens reserved.

const prune = `
local function prune_tokens(tok, amt, sum, cut)
  local expired = redis.call('ZRANGEBYSCORE', tok, '-inf', cut, 'LIMIT', 0, 1000)
  while #expired > 0 do
    local freed = 0
    local amounts = redis.call('HMGET', amt, unpack(expired))
    for _, a in ipairs(amounts) do freed = freed + (tonumber(a) or 0) end
    redis.call('HDEL', amt, unpack(expired))
    redis.call('ZREM', tok, unpack(expired))
    redis.call('DECRBY', sum, freed)
    expired = redis.call('ZRANGEBYSCORE', tok, '-inf', cut, 'LIMIT', 0, 1000)
  end
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function reset_in(z, window, now)
  local last = redis.call('ZRANGE', z, -1, -1, 'WITHSCORES')
  if #last == 0 then return 0 end
  return tonumber(last[2]) + window - now
end
`;

export const ADMIT_LUA = `${prune}
local id = ARGV[1]
local window = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local need = tonumber(ARGV[4])
local n = tonumber(ARGV[5])
local now = now_ms()
local cut = now - window
local refused, refused_scope, retry = 0, 0, 0
local function refuse(limit, scope, wait)
  if wait > retry then refused, refused_scope, retry = limit, scope, wait end
end
for i = 0, n - 1 do
  local conc, req, tok, amt, sum = KEYS[i*5+1], KEYS[i*5+2], KEYS[i*5+3], KEYS[i*5+4], KEYS[i*5+5]
  local maxc, rpm, tpm = tonumber(ARGV[6+i*3]), tonumber(ARGV[7+i*3]), tonumber(ARGV[8+i*3])
  if maxc > 0 then
    redis.call('ZREMRANGEBYSCORE', conc, '-inf', now)
    if redis.call('ZCARD', conc) >= maxc then refuse(1, i, 1000) end
  end
  if rpm > 0 then
    redis.call('ZREMRANGEBYSCORE', req, '-inf', cut)
    local c = redis.call('ZCARD', req)
    if c >= rpm then
      local e = redis.call('ZRANGE', req, c - rpm, c - rpm, 'WITHSCORES')
      refuse(2, i, math.max(1, tonumber(e[2]) + window - now))
    end
  end
  if tpm > 0 then
    prune_tokens(tok, amt, sum, cut)
    local want = math.min(need, tpm)
    local excess = (tonumber(redis.call('GET', sum)) or 0) + want - tpm
    if excess > 0 then
      local wait = window
      local offset = 0
      while excess > 0 do
        local batch = redis.call('ZRANGE', tok, offset, offset + 199, 'WITHSCORES')
        if #batch == 0 then break end
        local members = {}
        for j = 1, #batch, 2 do table.insert(members, batch[j]) end
        local amounts = redis.call('HMGET', amt, unpack(members))
        for k = 1, #members do
          excess = excess - (tonumber(amounts[k]) or 0)
          if excess <= 0 then wait = tonumber(batch[2*k]) + window - now break end
        end
        offset = offset + 200
      end
      refuse(3, i, math.max(1, wait))
    end
  end
end
local out = { refused == 0 and 1 or 0, refused, refused_scope, retry }
for i = 0, n - 1 do
  local conc, req, tok, amt, sum = KEYS[i*5+1], KEYS[i*5+2], KEYS[i*5+3], KEYS[i*5+4], KEYS[i*5+5]
  local maxc, rpm, tpm = tonumber(ARGV[6+i*3]), tonumber(ARGV[7+i*3]), tonumber(ARGV[8+i*3])
  local want = 0
  if refused == 0 then
    if maxc > 0 then
      redis.call('ZADD', conc, now + ttl, id)
      redis.call('PEXPIRE', conc, ttl * 2)
    end
    if rpm > 0 then
      redis.call('ZADD', req, now, id)
      redis.call('PEXPIRE', req, window + 1000)
    end
    if tpm > 0 then
      want = math.min(need, tpm)
      redis.call('ZADD', tok, now, id)
      redis.call('HSET', amt, id, want)
      redis.call('INCRBY', sum, want)
      redis.call('PEXPIRE', tok, window + ttl)
      redis.call('PEXPIRE', amt, window + ttl)
      redis.call('PEXPIRE', sum, window + ttl)
    end
  end
  local req_used, req_reset, tok_used, tok_reset = 0, 0, 0, 0
  if rpm > 0 then
    req_used = redis.call('ZCARD', req)
    req_reset = reset_in(req, window, now)
  end
  if tpm > 0 then
    tok_used = tonumber(redis.call('GET', sum)) or 0
    tok_reset = reset_in(tok, window, now)
  end
  table.insert(out, req_used)
  table.insert(out, req_reset)
  table.insert(out, tok_used)
  table.insert(out, tok_reset)
  table.insert(out, want)
end
return out
`;

// KEYS: the five keys of each scope. ARGV: lease id, ttl ms (0 = release), actual tokens (-1 = unknown),
// scope count. Releasing frees the slot and corrects the token entry while it is still in the window;
// renewing (ttl > 0) pushes the slot's expiry forward if the slot is still held.
export const SETTLE_LUA = `${prune}
local id = ARGV[1]
local ttl = tonumber(ARGV[2])
local actual = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local now = now_ms()
for i = 0, n - 1 do
  local conc, tok, amt, sum = KEYS[i*5+1], KEYS[i*5+3], KEYS[i*5+4], KEYS[i*5+5]
  if ttl > 0 then
    redis.call('ZADD', conc, 'XX', now + ttl, id)
    redis.call('PEXPIRE', conc, ttl * 2)
  else
    redis.call('ZREM', conc, id)
    if actual >= 0 then
      local old = tonumber(redis.call('HGET', amt, id))
      if old then
        redis.call('HSET', amt, id, actual)
        redis.call('INCRBY', sum, actual - old)
      end
    end
  end
end
return 1
`;
