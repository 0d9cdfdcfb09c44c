extension QueueScripts {
    /// retry_dead: moves dead jobs back to `ready` with attempts and stalls reset — the ids given, or (when no
    /// ids are given) up to `limit` of the oldest dead jobs, optionally only of one kind.
    /// KEYS: base, dead, ready, meta, wake. ARGV: limit, kind filter ('' = any), ids…
    /// Returns {moved, scanned}: scanned < limit means the dead set was exhausted.
    static let retryDead = RedisScript(queueScript: "retry_dead", #"""
local base, dead, ready, meta, wake_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local limit, kind = tonumber(ARGV[1]), ARGV[2]
local ids = {}
for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
local scanned = #ids
if #ids == 0 then
  ids = redis.call('ZRANGE', dead, 0, limit - 1)
  scanned = #ids
end
local moved = 0
for _, id in ipairs(ids) do
  local job_key = base .. 'job:' .. id
  if redis.call('ZSCORE', dead, id) then
    local k = redis.call('HGET', job_key, 'kind')
    if kind == '' or k == kind then
      redis.call('ZREM', dead, id)
      if k then
        local score = ready_score(meta, redis.call('HGET', job_key, 'pri') or '0')
        redis.call('HSET', job_key, 'state', 'ready', 'att', 0, 'stalls', 0, 'score', score)
        redis.call('HDEL', job_key, 'reason', 'ftime')
        redis.call('ZADD', ready, score, id)
        moved = moved + 1
      end
    end
  end
end
if moved > 0 then wake(wake_key) end
return {moved, scanned}
"""#)
}
