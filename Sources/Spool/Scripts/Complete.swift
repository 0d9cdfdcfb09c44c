extension QueueScripts {
    /// complete: finishes active jobs whose tokens match; a stale token changes nothing for that job.
    /// One call takes one job or a batch (at most 1,000).
    /// KEYS: base, active, done, meta.
    /// ARGV: keep details (0/1), done max count, done max age ms, then per job: id, token, result ('' = none).
    /// Returns one letter per job: `1` applied, `0` stale (reaped, finished elsewhere, or token changed).
    static let complete = RedisScript(queueScript: "complete", #"""
local base, active, done, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local keep = ARGV[1] == '1'
local now = now_ms()
local now_text = fmt(now)
local flags = {}
local applied = 0
for a = 4, #ARGV, 3 do
  local id, token = ARGV[a], ARGV[a + 1]
  local job_key = base .. 'job:' .. id
  if redis.call('ZSCORE', active, id) and redis.call('HGET', job_key, 'token') == token then
    redis.call('ZREM', active, id)
    release_unique(base, job_key, id)
    redis.call('ZADD', done, now_text, id)
    if keep then
      redis.call('HSET', job_key, 'state', 'done', 'ftime', now_text, 'result', ARGV[a + 2])
      redis.call('HDEL', job_key, 'token')
    else
      redis.call('DEL', job_key)
    end
    applied = applied + 1
    flags[#flags + 1] = '1'
  else
    flags[#flags + 1] = '0'
  end
end
if applied > 0 then
  redis.call('HINCRBY', meta, 'done', applied)
  local rate_key = base .. 'rate:' .. math.floor(now / 60000)
  redis.call('INCRBY', rate_key, applied)
  redis.call('PEXPIRE', rate_key, 180000)
  trim_by_time(base, done, tonumber(ARGV[2]), tonumber(ARGV[3]), now)
end
return table.concat(flags)
"""#)
}
