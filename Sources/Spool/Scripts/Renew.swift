extension QueueScripts {
    /// renew: extends the leases of many active jobs whose token still matches.
    /// KEYS: base, active. ARGV: lease ms, then id, token pairs.
    /// Returns the ids whose lease was lost (reaped, finished elsewhere, or token changed).
    static let renew = RedisScript(queueScript: "renew", #"""
local base, active = KEYS[1], KEYS[2]
local now = now_ms()
local until_ms = fmt(now + tonumber(ARGV[1]))
local lost = {}
for i = 2, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  if redis.call('ZSCORE', active, id) and redis.call('HGET', base .. 'job:' .. id, 'token') == token then
    redis.call('ZADD', active, 'XX', until_ms, id)
  else
    lost[#lost + 1] = id
  end
end
return lost
"""#)
}
