extension QueueScripts {
    /// pause: sets or clears a queue's paused flag; resuming wakes the idle workers.
    /// KEYS: base, meta, wake. ARGV: 1 to pause, 0 to resume. Returns 1.
    static let pause = RedisScript(queueScript: "pause", #"""
local meta, wake_key = KEYS[2], KEYS[3]
if ARGV[1] == '1' then
  redis.call('HSET', meta, 'paused', '1')
else
  redis.call('HDEL', meta, 'paused')
  wake(wake_key)
end
return 1
"""#)
}
