extension QueueScripts {
    /// promote: moves due delayed jobs (scheduled runs and retries whose backoff is over) to `ready`.
    /// KEYS: base, delayed, ready, meta, wake. ARGV: limit.
    /// Returns {promoted, next due in ms (-1 none)}.
    static let promote = RedisScript(queueScript: "promote", #"""
local base, delayed, ready, meta, wake_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now = now_ms()
local n = promote_due(base, delayed, ready, meta, wake_key, now, tonumber(ARGV[1]))
return {n, next_due_in(delayed, now)}
"""#)
}
