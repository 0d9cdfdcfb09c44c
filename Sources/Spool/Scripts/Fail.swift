extension QueueScripts {
    /// fail: records a failed attempt of an active job whose token matches, then retries it later or buries it.
    /// KEYS: base, active, delayed, dead, meta, wake.
    /// ARGV: id, token, mode (`retry` | `ratelimit` | `permanent`), delay ms, error text, error history limit,
    ///       dead max count, dead max age ms, max attempts in force (the job's own, or the worker's default).
    /// `retry` counts the attempt and goes dead once attempts reach max attempts; `ratelimit` gives the attempt
    /// back; `permanent` goes straight to dead.
    /// Returns {outcome, attempts}: outcome `retry`, `dead` or `stale`.
    static let fail = RedisScript(queueScript: "fail", #"""
local base, active, delayed, dead, meta, wake_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id, token, mode = ARGV[1], ARGV[2], ARGV[3]
local job_key = base .. 'job:' .. id
if not redis.call('ZSCORE', active, id) or redis.call('HGET', job_key, 'token') ~= token then return {'stale', 0} end
local now = now_ms()
redis.call('ZREM', active, id)
redis.call('HDEL', job_key, 'token')
local att = tonumber(redis.call('HGET', job_key, 'att') or '0')
if mode == 'ratelimit' then
  att = redis.call('HINCRBY', job_key, 'att', -1)
else
  redis.call('HINCRBY', meta, 'failed', 1)
end
push_error(job_key, tonumber(ARGV[6]), {attempt = att, at = now, error = ARGV[5], kind = mode})
local maxatt = tonumber(ARGV[9])
if mode == 'permanent' or (mode == 'retry' and att >= maxatt) then
  local reason = 'failed'
  if mode == 'retry' then reason = 'exhausted' end
  bury(base, job_key, id, dead, meta, now, reason, tonumber(ARGV[7]), tonumber(ARGV[8]))
  return {'dead', att}
end
local run_at = now + tonumber(ARGV[4])
redis.call('HSET', job_key, 'state', 'scheduled', 'rtime', fmt(run_at))
redis.call('ZADD', delayed, fmt(run_at), id)
redis.call('HINCRBY', meta, 'retried', 1)
wake(wake_key)
return {'retry', att}
"""#)
}
