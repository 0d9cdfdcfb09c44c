extension QueueScripts {
    /// enqueue: creates each given job unless its id exists (or completed recently) or its unique key is held.
    /// One call takes one job or a batch (at most 1,000: the caller splits larger ones).
    /// KEYS: base, ready, delayed, meta, wake, done.
    /// ARGV: queue, then per job 12 values: id, kind, payload, priority, delay ms, run-at ms (0 = none),
    ///       max attempts, backoff, timeout ms, unique key, unique ttl ms, given id (1 when the producer chose the
    ///       id — only then can it exist already; a fresh UUIDv7 cannot).
    /// Fields left at their default (0 attempts, no backoff, …) are not stored; readers supply the default.
    /// Returns per job {status, id, state}: status `created`, `exists` or `duplicate` (id = the holder's).
    static let enqueue = RedisScript(queueScript: "enqueue", #"""
local base, ready, delayed, meta, wake_key, done = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local n = (#ARGV - 1) / 12
local now = now_ms()
local out = {}
local created, runnable = 0, 0
-- Reserve FIFO sequence numbers for the whole batch in one step.
local next_seq = redis.call('HINCRBY', meta, 'seq', n) - n + 1
for i = 0, n - 1 do
  local a = 1 + i * 12
  local id, pri, ukey = ARGV[a + 1], ARGV[a + 4], ARGV[a + 10]
  local job_key = base .. 'job:' .. id
  local k = #out
  local existing, holder = nil, nil
  if ARGV[a + 12] == '1' then
    existing = redis.call('HGET', job_key, 'state')
    if not existing and redis.call('ZSCORE', done, id) then existing = 'done' end
  end
  if not existing and ukey ~= '' then
    local unique_key = base .. 'unique:' .. ukey
    holder = redis.call('GET', unique_key)
    if not holder then redis.call('SET', unique_key, id, 'PX', ARGV[a + 11]) end
  end
  if existing then
    out[k + 1] = 'exists'; out[k + 2] = id; out[k + 3] = existing
  elseif holder then
    out[k + 1] = 'duplicate'; out[k + 2] = holder; out[k + 3] = ''
  else
    local run_at = now + tonumber(ARGV[a + 5])
    local at = tonumber(ARGV[a + 6])
    if at > 0 then run_at = at end
    local state, score = 'ready', ''
    if run_at > now then
      state = 'scheduled'
    else
      score = fmt((32767 - tonumber(pri)) * SEQ_SPAN + (next_seq % SEQ_SPAN))
      next_seq = next_seq + 1
    end
    local fields = {'kind', ARGV[a + 2], 'payload', ARGV[a + 3], 'pri', pri, 'ctime', fmt(now), 'rtime', fmt(run_at), 'state', state}
    if score ~= '' then fields[#fields + 1] = 'score'; fields[#fields + 1] = score end
    if ARGV[a + 7] ~= '0' then fields[#fields + 1] = 'maxatt'; fields[#fields + 1] = ARGV[a + 7] end
    if ARGV[a + 8] ~= '' then fields[#fields + 1] = 'backoff'; fields[#fields + 1] = ARGV[a + 8] end
    if ARGV[a + 9] ~= '0' then fields[#fields + 1] = 'tmo'; fields[#fields + 1] = ARGV[a + 9] end
    if ukey ~= '' then fields[#fields + 1] = 'ukey'; fields[#fields + 1] = ukey end
    redis.call('HSET', job_key, unpack(fields))
    if state == 'scheduled' then
      redis.call('ZADD', delayed, fmt(run_at), id)
    else
      redis.call('ZADD', ready, score, id)
    end
    -- A scheduled job wakes a waiter too, so it shortens its wait to the job's due time.
    runnable = runnable + 1
    created = created + 1
    out[k + 1] = 'created'; out[k + 2] = id; out[k + 3] = state
  end
end
if created > 0 then redis.call('HINCRBY', meta, 'enqueued', created) end
if runnable > 0 then
  local room = 64 - redis.call('LLEN', wake_key)
  if runnable < room then room = runnable end
  if room > 0 then
    local markers = {}
    for m = 1, room do markers[m] = '1' end
    redis.call('LPUSH', wake_key, unpack(markers))
  end
end
return out
"""#)
}

/// The registry of queue scripts: one per state change, named after it.
enum QueueScripts {}
