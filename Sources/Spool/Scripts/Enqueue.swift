extension QueueScripts {
    /// enqueue: creates one job unless its id exists (or recently completed) or its unique key is held.
    /// KEYS: base, ready, delayed, meta, wake, done.
    /// ARGV: id, kind, payload, priority, delay ms, run-at ms (0 = none), max attempts, backoff, timeout ms,
    ///       unique key, unique ttl ms, queue.
    /// Returns {status, id, state}: status `created`, `exists` or `duplicate` (id = the holder's).
    static let enqueue = RedisScript(queueScript: "enqueue", #"""
local base, ready, delayed, meta, wake_key, done = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id = ARGV[1]
local job_key = base .. 'job:' .. id
local existing = redis.call('HGET', job_key, 'state')
if existing then return {'exists', id, existing} end
if redis.call('ZSCORE', done, id) then return {'exists', id, 'done'} end
local ukey = ARGV[10]
if ukey ~= '' then
  local unique_key = base .. 'unique:' .. ukey
  local holder = redis.call('GET', unique_key)
  if holder then return {'duplicate', holder, ''} end
  redis.call('SET', unique_key, id, 'PX', ARGV[11])
end
local now = now_ms()
local run_at = now + tonumber(ARGV[5])
if tonumber(ARGV[6]) > 0 then run_at = tonumber(ARGV[6]) end
redis.call('HSET', job_key, 'id', id, 'queue', ARGV[12], 'kind', ARGV[2], 'payload', ARGV[3], 'pri', ARGV[4],
  'att', 0, 'maxatt', ARGV[7], 'backoff', ARGV[8], 'tmo', ARGV[9], 'ukey', ukey, 'ctime', fmt(now),
  'rtime', fmt(run_at), 'stalls', 0)
redis.call('HINCRBY', meta, 'enqueued', 1)
if run_at > now then
  redis.call('HSET', job_key, 'state', 'scheduled')
  redis.call('ZADD', delayed, fmt(run_at), id)
  -- Wake a waiter so it shortens its wait to this job's due time.
  wake(wake_key)
  return {'created', id, 'scheduled'}
end
local score = ready_score(meta, ARGV[4])
redis.call('HSET', job_key, 'state', 'ready', 'score', score)
redis.call('ZADD', ready, score, id)
wake(wake_key)
return {'created', id, 'ready'}
"""#)
}

/// The registry of queue scripts: one per state change, named after it.
enum QueueScripts {}
