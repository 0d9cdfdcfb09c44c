extension QueueScripts {
    /// release: hands active jobs back to `ready` at once (graceful shutdown), keeping their place in line
    /// and giving back the attempt. Only jobs whose token still matches are touched.
    /// KEYS: base, active, ready, wake. ARGV: id, token pairs.
    /// Returns the number released.
    static let release = RedisScript(queueScript: "release", #"""
local base, active, ready, wake_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local released = 0
for i = 1, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local job_key = base .. 'job:' .. id
  if redis.call('ZSCORE', active, id) and redis.call('HGET', job_key, 'token') == token then
    redis.call('ZREM', active, id)
    redis.call('HDEL', job_key, 'token')
    redis.call('HINCRBY', job_key, 'att', -1)
    redis.call('HSET', job_key, 'state', 'ready')
    redis.call('ZADD', ready, redis.call('HGET', job_key, 'score') or '0', id)
    released = released + 1
  end
end
if released > 0 then wake(wake_key) end
return released
"""#)
}
