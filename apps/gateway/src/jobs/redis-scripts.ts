// Atomic steps of the Redis job store, as Lua: a bounded enqueue and a compare-and-set transition.
// Every status change goes through TRANSITION, so a job moves from queued/running to a final state
// exactly once, whichever instance (worker, canceller, sweeper) gets there first.

/** KEYS: tenant queue zset, all-queued zset, job hash. ARGV: max, id, created_at, ttl_ms, field, value, ... */
export const ENQUEUE = `
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return -1 end
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return redis.call('ZRANK', KEYS[1], ARGV[2])
`;

/**
 * KEYS: job hash, tenant queue zset, all-queued zset.
 * ARGV: allowed current statuses (comma-separated), new status, ttl_ms, increment attempts (0/1), id, field, value, ...
 * Returns 1 when the job moved, 0 when it was missing or in another state.
 */
export const TRANSITION = `
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return 0 end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == st then allowed = true end end
if not allowed then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[1], 'attempts', 1) end
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZREM', KEYS[2], ARGV[5])
redis.call('ZREM', KEYS[3], ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;
