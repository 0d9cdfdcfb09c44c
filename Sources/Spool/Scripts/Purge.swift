extension QueueScripts {
    /// purge: one bounded step of removing the jobs of one state, optionally only those created before a
    /// cutoff and/or of one kind. Scans at most `limit` entries from rank `start`; with dry run it only counts.
    /// KEYS: base, state set. ARGV: start rank, limit, cutoff ms (0 = none), kind ('' = any), dry run (0/1),
    ///       time-scored (1 for dead/done, whose score is a time).
    /// Returns {matched (removed unless dry run), next start rank, finished 0/1}.
    static let purge = RedisScript(queueScript: "purge", #"""
local base, set = KEYS[1], KEYS[2]
local start, limit, cutoff, kind = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local dry, timed = ARGV[5] == '1', ARGV[6] == '1'
local entries
if timed and cutoff > 0 and kind == '' then
  -- Time-scored sets: the old entries are exactly the lowest scores.
  entries = redis.call('ZRANGEBYSCORE', set, '-inf', '(' .. string.format('%.0f', cutoff), 'LIMIT', start, limit)
  local matched = #entries
  if not dry then
    for _, id in ipairs(entries) do
      redis.call('ZREM', set, id)
      local job_key = base .. 'job:' .. id
      release_unique(base, job_key, id)
      redis.call('DEL', job_key)
    end
  end
  local next_start = start
  if dry then next_start = start + #entries end
  local finished = 0
  if #entries < limit then finished = 1 end
  return {matched, next_start, finished}
end
entries = redis.call('ZRANGE', set, start, start + limit - 1, 'WITHSCORES')
local matched = 0
for i = 1, #entries, 2 do
  local id = entries[i]
  local job_key = base .. 'job:' .. id
  local f = redis.call('HMGET', job_key, 'kind', 'ctime')
  local ok = true
  if kind ~= '' and f[1] ~= kind then ok = false end
  if ok and cutoff > 0 then
    local t = tonumber(f[2] or '')
    if timed then t = tonumber(entries[i + 1]) end
    if not t or t >= cutoff then ok = false end
  end
  if ok then
    matched = matched + 1
    if not dry then
      redis.call('ZREM', set, id)
      release_unique(base, job_key, id)
      redis.call('DEL', job_key)
    end
  end
end
local scanned = #entries / 2
local next_start = start + scanned
if not dry then next_start = next_start - matched end
local finished = 0
if scanned < limit then finished = 1 end
return {matched, next_start, finished}
"""#)
}
