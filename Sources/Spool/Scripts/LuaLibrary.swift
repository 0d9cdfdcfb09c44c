/// Lua helpers shared by the queue scripts, prepended to each script's source.
///
/// Conventions for every script: KEYS[1] is the queue's key base `<prefix>:{<queue>}:`; keys built inside a
/// script (`job:<id>`, `unique:<key>`, `rate:<minute>`) are made only from that base, so they carry the queue's
/// hash tag and live in the queue's cluster slot. Time comes from Redis (`TIME`).
enum LuaLibrary {
    static let source = #"""
local SEQ_SPAN = 137438953472 -- 2^37: FIFO sequence numbers per priority
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(n) return string.format('%.0f', n) end
-- Higher priority first, FIFO inside one priority: (32767 - priority) * 2^37 + sequence.
local function ready_score(meta, pri)
  local seq = redis.call('HINCRBY', meta, 'seq', 1) % SEQ_SPAN
  return fmt((32767 - tonumber(pri)) * SEQ_SPAN + seq)
end
local function wake(wake_key)
  if redis.call('LLEN', wake_key) < 64 then redis.call('LPUSH', wake_key, '1') end
end
local function release_unique(base, job_key, id)
  local u = redis.call('HGET', job_key, 'ukey')
  if u and u ~= '' then
    local k = base .. 'unique:' .. u
    if redis.call('GET', k) == id then redis.call('DEL', k) end
  end
end
local function push_error(job_key, limit, entry)
  local errs = {}
  local raw = redis.call('HGET', job_key, 'errs')
  if raw and raw ~= '' then
    local ok, decoded = pcall(cjson.decode, raw)
    if ok and type(decoded) == 'table' then errs = decoded end
  end
  errs[#errs + 1] = entry
  while #errs > limit do table.remove(errs, 1) end
  redis.call('HSET', job_key, 'errs', cjson.encode(errs), 'err', entry.error)
end
-- Trims a time-scored set (dead, done) by age and count, at most 100 removals a call; deletes job hashes.
local function trim_by_time(base, key, max_count, max_age, now)
  local removed = 0
  if max_age > 0 then
    local old = redis.call('ZRANGEBYSCORE', key, '-inf', fmt(now - max_age), 'LIMIT', 0, 100)
    for _, id in ipairs(old) do
      redis.call('ZREM', key, id)
      redis.call('DEL', base .. 'job:' .. id)
      removed = removed + 1
    end
  end
  local excess = redis.call('ZCARD', key) - max_count
  if excess > 0 then
    if excess > 100 then excess = 100 end
    local oldest = redis.call('ZRANGE', key, 0, excess - 1)
    for _, id in ipairs(oldest) do
      redis.call('ZREM', key, id)
      redis.call('DEL', base .. 'job:' .. id)
    end
  end
end
-- Moves due delayed jobs to ready (at most `limit`); returns how many.
local function promote_due(base, delayed, ready, meta, wake_key, now, limit)
  local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', fmt(now), 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('ZREM', delayed, id)
    local job_key = base .. 'job:' .. id
    local pri = redis.call('HGET', job_key, 'pri')
    if pri then
      local score = ready_score(meta, pri)
      redis.call('HSET', job_key, 'state', 'ready', 'score', score)
      redis.call('ZADD', ready, score, id)
    end
  end
  if #due > 0 then wake(wake_key) end
  return #due
end
-- Milliseconds until the next delayed job is due, or -1 when none is waiting.
local function next_due_in(delayed, now)
  local first = redis.call('ZRANGE', delayed, 0, 0, 'WITHSCORES')
  if #first == 0 then return -1 end
  local d = tonumber(first[2]) - now
  if d < 0 then d = 0 end
  return d
end
-- Moves a job to the dead set, recording why.
local function bury(base, job_key, id, dead, meta, now, reason, dead_max, dead_age)
  redis.call('ZADD', dead, fmt(now), id)
  redis.call('HSET', job_key, 'state', 'dead', 'ftime', fmt(now), 'reason', reason)
  redis.call('HDEL', job_key, 'token')
  redis.call('HINCRBY', meta, 'dead', 1)
  release_unique(base, job_key, id)
  trim_by_time(base, dead, dead_max, dead_age, now)
end

"""#
}

extension RedisScript {
    /// A queue script: the shared Lua library followed by `body`.
    init(queueScript name: String, _ body: String) {
        self.init(name: name, source: LuaLibrary.source + body)
    }
}
