extension QueueScripts {
    /// reap: returns jobs whose lease expired (their worker died or hung) to `ready` in their old place,
    /// counting a stall; a job that stalled more than the limit goes to dead with reason `stalled`.
    /// KEYS: base, active, ready, dead, meta, wake.
    /// ARGV: max stalls, limit, error history limit, dead max count, dead max age ms.
    /// Returns {returned to ready, buried}.
    static let reap = RedisScript(queueScript: "reap", #"""
local base, active, ready, dead, meta, wake_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now = now_ms()
local expired = redis.call('ZRANGEBYSCORE', active, '-inf', fmt(now), 'LIMIT', 0, tonumber(ARGV[2]))
local returned, buried = 0, 0
for _, id in ipairs(expired) do
  redis.call('ZREM', active, id)
  local job_key = base .. 'job:' .. id
  if redis.call('EXISTS', job_key) == 1 then
    redis.call('HDEL', job_key, 'token')
    local stalls = redis.call('HINCRBY', job_key, 'stalls', 1)
    local att = redis.call('HINCRBY', job_key, 'att', -1)
    redis.call('HINCRBY', meta, 'stalled', 1)
    push_error(job_key, tonumber(ARGV[3]), {attempt = att + 1, at = now, error = 'stalled: lease expired (worker died or hung)', kind = 'stalled'})
    if stalls > tonumber(ARGV[1]) then
      bury(base, job_key, id, dead, meta, now, 'stalled', tonumber(ARGV[4]), tonumber(ARGV[5]))
      buried = buried + 1
    else
      redis.call('HSET', job_key, 'state', 'ready')
      redis.call('ZADD', ready, redis.call('HGET', job_key, 'score') or '0', id)
      returned = returned + 1
    end
  end
end
if returned > 0 then wake(wake_key) end
return {returned, buried}
"""#)
}
