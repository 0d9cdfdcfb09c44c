extension QueueScripts {
    /// list: one page of a state set, resuming after a cursor (the last id and score of the previous page).
    /// KEYS: base, state set. ARGV: cursor id ('' = start), cursor score, page size, kind ('' = any), scan limit.
    /// Returns {next cursor id ('' = end), next cursor score, then per job: id, score, kind, attempts,
    ///          max attempts, created ms, run-at ms, priority, last error, state}.
    static let list = RedisScript(queueScript: "list", #"""
local base, set = KEYS[1], KEYS[2]
local cursor_id, cursor_score, page, kind, scan = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local start = 0
if cursor_id ~= '' then
  local rank = redis.call('ZRANK', set, cursor_id)
  if rank then start = rank + 1 else start = redis.call('ZCOUNT', set, '-inf', '(' .. cursor_score) end
end
local entries = redis.call('ZRANGE', set, start, start + scan - 1, 'WITHSCORES')
local out = {'', ''}
local found = 0
for i = 1, #entries, 2 do
  local id = entries[i]
  local f = redis.call('HMGET', base .. 'job:' .. id, 'kind', 'att', 'maxatt', 'ctime', 'rtime', 'pri', 'err', 'state')
  if kind == '' or f[1] == kind then
    local k = #out
    out[k+1] = id; out[k+2] = entries[i + 1]
    for j = 1, 8 do out[k+2+j] = f[j] or '' end
    found = found + 1
  end
  out[1] = id; out[2] = entries[i + 1]
  if found >= page then break end
end
-- Reached the end of the set: no further cursor.
if found < page and #entries < scan * 2 then out[1] = ''; out[2] = '' end
if found >= page and start + (#entries / 2) >= redis.call('ZCARD', set) and out[1] == entries[#entries - 1] then
  out[1] = ''; out[2] = ''
end
return out
"""#)
}
