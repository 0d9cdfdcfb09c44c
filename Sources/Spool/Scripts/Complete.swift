extension QueueScripts {
    /// complete: finishes an active job whose token matches; a stale token changes nothing.
    /// KEYS: base, active, done, meta.
    /// ARGV: id, token, keep details (0/1), done max count, done max age ms, result (may be empty).
    /// Returns 1 when applied, 0 when the token was stale or the job is no longer active.
    static let complete = RedisScript(queueScript: "complete", #"""
local base, active, done, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, token = ARGV[1], ARGV[2]
local job_key = base .. 'job:' .. id
if not redis.call('ZSCORE', active, id) or redis.call('HGET', job_key, 'token') ~= token then return 0 end
local now = now_ms()
redis.call('ZREM', active, id)
redis.call('HINCRBY', meta, 'done', 1)
local minute = math.floor(now / 60000)
local rate_key = base .. 'rate:' .. minute
redis.call('INCR', rate_key)
redis.call('PEXPIRE', rate_key, 180000)
release_unique(base, job_key, id)
redis.call('ZADD', done, fmt(now), id)
if ARGV[3] == '1' then
  redis.call('HSET', job_key, 'state', 'done', 'ftime', fmt(now), 'result', ARGV[6])
  redis.call('HDEL', job_key, 'token')
else
  redis.call('DEL', job_key)
end
trim_by_time(base, done, tonumber(ARGV[4]), tonumber(ARGV[5]), now)
return 1
"""#)
}
