extension QueueScripts {
    /// enqueue: creates each given job unless its id exists (or completed recently) or its unique key is held.
    /// One call takes one job or a batch (at most 1,000: the caller splits larger ones).
    /// KEYS: base, ready, delayed, meta, wake, done.
    /// ARGV: queue, then per job 12 values: id, kind, payload, priority, delay ms, run-at ms (0 = none),
    ///       max attempts, backoff, timeout ms, unique key, unique ttl ms, given id (1 when the producer chose the
    ///       id — only then can it exist already; a fresh UUIDv7 cannot).
    /// Fields left at their default (0 attempts, no backoff, …) are not stored; readers supply the default.
    /// Ready jobs of a batch are added with one ZADD.
    /// Returns {codes, details…}: one letter per job — `r` created ready, `s` created scheduled, `e` exists
    /// (its state follows in the details), `d` duplicate unique key (the holder's id follows in the details),
    /// `x` could not be written (the error follows in the details; the other jobs are applied).
    /// Nothing is ever half-written: a queue key of the wrong type fails the whole call before any write, and
    /// each job's first write is its hash, the only one of its writes that can fail (a key of another type in
    /// its place) — so a job that fails leaves nothing, not even its unique key.
    static let enqueue = RedisScript(queueScript: "enqueue", #"""
local base, ready, delayed, meta, wake_key, done = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local n = (#ARGV - 1) / 12
local now = now_ms()
local now_text = fmt(now)
-- One status letter per job (r ready, s scheduled, e exists, d duplicate); e and d add their detail after it.
local codes = {}
local details = {}
local created = 0
local ready_pairs = {}
-- The queue's own keys are checked before anything is written: one of the wrong type fails the call here,
-- instead of after the jobs' hashes are written (orphans) or after the whole batch is in (reported as failed).
for _, expected in ipairs({{ready, 'zset'}, {delayed, 'zset'}, {done, 'zset'}, {meta, 'hash'}, {wake_key, 'list'}}) do
  local found = redis.call('TYPE', expected[1]).ok
  if found ~= 'none' and found ~= expected[2] then
    return redis.error_reply('WRONGTYPE ' .. expected[1] .. ' holds a ' .. found .. ', not a ' .. expected[2] .. '; nothing was enqueued')
  end
end
-- Reserve FIFO sequence numbers for the whole batch in one step.
local next_seq = redis.call('HINCRBY', meta, 'seq', n) - n + 1
-- Each job is applied on its own: a job that cannot be written (a key of the wrong type where its hash goes)
-- is reported with `x` and leaves the others intact. Its hash is its first write and the only one that can
-- fail, so a failed job leaves nothing behind (no unique key, no set entry).
local function enqueue_one(a)
  local id, pri, ukey = ARGV[a + 1], ARGV[a + 4], ARGV[a + 10]
  local job_key = base .. 'job:' .. id
  if ARGV[a + 12] == '1' then
    local existing = redis.call('HGET', job_key, 'state')
    if not existing and redis.call('ZSCORE', done, id) then existing = 'done' end
    if existing then return 'e', existing end
  end
  local unique_key = nil
  if ukey ~= '' then
    unique_key = base .. 'unique:' .. ukey
    local holder = redis.call('GET', unique_key)
    if holder then return 'd', holder end
  end
  local delay, at = ARGV[a + 5], ARGV[a + 6]
  local run_at, run_text = now, now_text
  if at ~= '0' then run_at = tonumber(at); run_text = at
  elseif delay ~= '0' then run_at = now + tonumber(delay); run_text = fmt(run_at) end
  local plain = ARGV[a + 7] == '0' and ARGV[a + 8] == '' and ARGV[a + 9] == '0' and ukey == ''
  if run_at > now then
    if plain then
      redis.call('HSET', job_key, 'kind', ARGV[a + 2], 'payload', ARGV[a + 3], 'pri', pri, 'ctime', now_text,
        'rtime', run_text, 'state', 'scheduled')
    else
      redis.call('HSET', job_key, 'kind', ARGV[a + 2], 'payload', ARGV[a + 3], 'pri', pri, 'ctime', now_text,
        'rtime', run_text, 'state', 'scheduled', 'maxatt', ARGV[a + 7], 'backoff', ARGV[a + 8], 'tmo', ARGV[a + 9], 'ukey', ukey)
    end
    if unique_key then redis.call('SET', unique_key, id, 'PX', ARGV[a + 11]) end
    redis.call('ZADD', delayed, run_text, id)
    return 's'
  end
  local score = fmt((32767 - tonumber(pri)) * SEQ_SPAN + (next_seq % SEQ_SPAN))
  next_seq = next_seq + 1
  if plain then
    redis.call('HSET', job_key, 'kind', ARGV[a + 2], 'payload', ARGV[a + 3], 'pri', pri, 'ctime', now_text,
      'rtime', run_text, 'state', 'ready', 'score', score)
  else
    redis.call('HSET', job_key, 'kind', ARGV[a + 2], 'payload', ARGV[a + 3], 'pri', pri, 'ctime', now_text,
      'rtime', run_text, 'state', 'ready', 'score', score, 'maxatt', ARGV[a + 7], 'backoff', ARGV[a + 8],
      'tmo', ARGV[a + 9], 'ukey', ukey)
  end
  if unique_key then redis.call('SET', unique_key, id, 'PX', ARGV[a + 11]) end
  ready_pairs[#ready_pairs + 1] = score
  ready_pairs[#ready_pairs + 1] = id
  return 'r'
end
for i = 0, n - 1 do
  local ok, code, detail = pcall(enqueue_one, 1 + i * 12)
  if not ok then
    local message = code
    if type(code) == 'table' then message = code.err or 'error' end
    codes[#codes + 1] = 'x'; details[#details + 1] = tostring(message)
  else
    codes[#codes + 1] = code
    if detail then details[#details + 1] = detail end
    if code == 'r' or code == 's' then created = created + 1 end
  end
end
-- One ZADD for the batch's ready jobs (in slices, to stay within Lua's argument limit).
for first = 1, #ready_pairs, 1000 do
  redis.call('ZADD', ready, unpack(ready_pairs, first, math.min(first + 999, #ready_pairs)))
end
if created > 0 then
  redis.call('HINCRBY', meta, 'enqueued', created)
  -- Every new job wakes a waiter (a scheduled one too, so the waiter shortens its wait to the due time).
  local room = 64 - redis.call('LLEN', wake_key)
  if created < room then room = created end
  if room > 0 then
    local markers = {}
    for m = 1, room do markers[m] = '1' end
    redis.call('LPUSH', wake_key, unpack(markers))
  end
end
local out = {table.concat(codes)}
for j = 1, #details do out[j + 1] = details[j] end
return out
"""#)
}

/// The registry of queue scripts: one per state change, named after it.
enum QueueScripts {}
