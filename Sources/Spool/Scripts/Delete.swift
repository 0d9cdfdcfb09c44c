extension QueueScripts {
    /// delete: removes one job from whatever state it is in, with its unique key.
    /// KEYS: base, ready, delayed, active, dead, done. ARGV: id.
    /// Returns 1 when something was removed, else 0.
    static let delete = RedisScript(queueScript: "delete", #"""
local base = KEYS[1]
local id = ARGV[1]
local job_key = base .. 'job:' .. id
local removed = 0
for i = 2, 6 do removed = removed + redis.call('ZREM', KEYS[i], id) end
if redis.call('EXISTS', job_key) == 1 then
  release_unique(base, job_key, id)
  redis.call('DEL', job_key)
  removed = removed + 1
end
if removed > 0 then return 1 end
return 0
"""#)
}
