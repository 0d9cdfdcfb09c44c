extension QueueScripts {
    /// fetch: promotes due delayed jobs, then moves up to N ready jobs to `active` under a lease.
    /// KEYS: base, ready, active, delayed, meta, wake.
    /// ARGV: count, lease ms, token prefix.
    /// Returns {next due in ms (-1 none), paused 0/1, then per job: id, token, kind, payload, attempts,
    ///          max attempts, backoff, timeout ms, created ms, priority, last error, stalls}.
    static let fetch = RedisScript(queueScript: "fetch", #"""
local base, ready, active, delayed, meta, wake_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now = now_ms()
promote_due(base, delayed, ready, meta, wake_key, now, 1000)
local out = {next_due_in(delayed, now), 0}
if redis.call('HGET', meta, 'paused') == '1' then
  out[2] = 1
  return out
end
local popped = redis.call('ZPOPMIN', ready, tonumber(ARGV[1]))
local lease_until = fmt(now + tonumber(ARGV[2]))
local n = 0
for i = 1, #popped, 2 do
  local id = popped[i]
  local job_key = base .. 'job:' .. id
  if redis.call('EXISTS', job_key) == 1 then
    n = n + 1
    -- The fetch's server time makes the token unique to this lease even when the same worker leases the
    -- job again later, so that worker's late answer for the old lease is refused too.
    local token = ARGV[3] .. ':' .. fmt(now) .. ':' .. n
    local att = redis.call('HINCRBY', job_key, 'att', 1)
    redis.call('HSET', job_key, 'state', 'active', 'token', token, 'stime', fmt(now))
    redis.call('ZADD', active, lease_until, id)
    local f = redis.call('HMGET', job_key, 'kind', 'payload', 'maxatt', 'backoff', 'tmo', 'ctime', 'pri', 'err', 'stalls')
    local k = #out
    out[k+1] = id; out[k+2] = token; out[k+3] = f[1] or ''; out[k+4] = f[2] or ''; out[k+5] = att; out[k+6] = f[3] or '0'
    out[k+7] = f[4] or ''; out[k+8] = f[5] or '0'; out[k+9] = f[6] or '0'; out[k+10] = f[7] or '0'; out[k+11] = f[8] or ''
    out[k+12] = f[9] or '0'
  end
end
-- More work left: chain the wake-up so another idle worker comes for it.
if #popped > 0 and redis.call('ZCARD', ready) > 0 and redis.call('LLEN', wake_key) == 0 then
  redis.call('LPUSH', wake_key, '1')
end
return out
"""#)
}
