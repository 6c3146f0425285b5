/**
 * The Lua run inside Redis, where several steps must happen as one. Entry ids are
 * `<ms>-<seq>`: `ms` (the appending process's clock, never below the previous entry's)
 * drives trimming by age with MINID, `seq` names the event. Entries are only ever trimmed
 * from the front, so the retained window is always a contiguous run of seqs ending at the
 * counter, and the newest `k` entries are exactly the events after `lastSeq - k`.
 */

/** Shared prologue: the stream's life. A missing meta key means its history is gone: new epoch, no stale entries. */
const ensureEpoch = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  if KEYS[3] then redis.call('DEL', KEYS[3]) end
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0, 'bytes', 0)
end
`;

/**
 * Shared: drops entries from the front of the stream (KEYS[2]) while there are more than
 * maxEvents, or they are older than minId (ms), or the retained frames exceed maxBytes
 * (keeping the newest entry). The byte total lives in the meta hash (KEYS[1], 'bytes') and
 * every trim goes through here, so it stays exact; an empty stream (expired key) resets it.
 * One XRANGE and XDEL per dropped entry: amortised, an append drops about one.
 */
const trimFront = `
local function trimFront(maxEvents, minId, maxBytes)
  local len = redis.call('XLEN', KEYS[2])
  local bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0') or 0
  if len == 0 then bytes = 0 end
  while len > 0 do
    -- One entry at a time: an append usually drops none or one, and entries can be 64 KiB.
    local entry = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
    if not entry then break end
    local ms = tonumber(string.match(entry[1], '^(%d+)%-'))
    if not (len > maxEvents or ms < minId or (len > 1 and bytes > maxBytes)) then break end
    bytes = bytes - string.len(entry[2][2])
    len = len - 1
    redis.call('XDEL', KEYS[2], entry[1])
  end
  if len == 0 or bytes < 0 then bytes = 0 end
  redis.call('HSET', KEYS[1], 'bytes', bytes)
end
`;

/**
 * KEYS: meta, events, endedRuns. ARGV: newEpoch, nowMs, maxEvents, maxAgeMs, metaTtlMs, channel,
 * framePrefix, frameSuffix, nonce, retry ('1' when an earlier attempt may have run), runId,
 * terminal ('1' for agent_completed / agent_error), maxBytes.
 * Returns { epoch, seq } or, for a retry that finds its own earlier entry, { epoch, seq, frame };
 * an error reply `AW_RUN_ENDED` when the run already has its terminal event (whichever
 * process wrote it: its runner or the orphan reaper), so a run never gets two.
 * Retained (XADD) before published (PUBLISH), in one atomic step.
 */
export const APPEND_SCRIPT = `${ensureEpoch}${trimFront}
if ARGV[10] == '1' then
  local recent = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 64)
  for _, entry in ipairs(recent) do
    local fields = entry[2]
    if fields[4] == ARGV[9] then
      return { epoch, tonumber(string.match(entry[1], '%-(%d+)$')), fields[2] }
    end
  end
end
if redis.call('ZSCORE', KEYS[3], ARGV[11]) then return redis.error_reply('AW_RUN_ENDED') end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local now = tonumber(ARGV[2])
local ms = now
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if last[1] then
  local lastMs = tonumber(string.match(last[1][1], '^(%d+)%-'))
  if lastMs > ms then ms = lastMs end
end
local frame = ARGV[7] .. string.format('%d', seq) .. ARGV[8]
if redis.call('XLEN', KEYS[2]) == 0 then redis.call('HSET', KEYS[1], 'bytes', 0) end
redis.call('XADD', KEYS[2], string.format('%d-%d', ms, seq), 'f', frame, 'n', ARGV[9])
redis.call('HINCRBY', KEYS[1], 'bytes', string.len(frame))
trimFront(tonumber(ARGV[3]), now - tonumber(ARGV[4]), tonumber(ARGV[13]))
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if ARGV[12] == '1' then
  redis.call('ZADD', KEYS[3], now, ARGV[11])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[5]))
  redis.call('PEXPIRE', KEYS[3], ARGV[5])
end
redis.call('PUBLISH', ARGV[6], epoch .. '\\n' .. frame)
return { epoch, seq }
`;

/**
 * KEYS: meta, events. ARGV: newEpoch, nowMs, maxAgeMs, metaTtlMs, afterSeq (-1: head only), maxEvents, maxBytes.
 * Returns { epoch, lastSeq, oldestSeq, frames after afterSeq in order }.
 */
export const READ_SCRIPT = `${ensureEpoch}${trimFront}
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local last = tonumber(redis.call('HGET', KEYS[1], 'seq'))
trimFront(tonumber(ARGV[6]), tonumber(ARGV[2]) - tonumber(ARGV[3]), tonumber(ARGV[7]))
local oldest = last + 1
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if first[1] then oldest = tonumber(string.match(first[1][1], '%-(%d+)$')) end
local frames = {}
local after = tonumber(ARGV[5])
if after >= 0 then
  local from = math.max(after + 1, oldest)
  if last >= from then
    local entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', last - from + 1)
    for i = #entries, 1, -1 do frames[#frames + 1] = entries[i][2][2] end
  end
end
return { epoch, last, oldest, frames }
`;

/**
 * KEYS: thread queue. ARGV: runId, onlyIfIdle ('1'), ttlMs. Appends the run unless
 * onlyIfIdle and the queue is not empty (returns false then); returns the runs ahead of it.
 */
export const ENTER_QUEUE_SCRIPT = `
if ARGV[2] == '1' and redis.call('LLEN', KEYS[1]) > 0 then return false end
local ahead = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return ahead
`;

/** KEYS: run. ARGV: ttlMs. Marks a known run finished; never resurrects an expired one. */
export const FINISH_RUN_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'status', 'finished')
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 0
`;

/**
 * Settles a pending request (KEYS[1]) once: the stored value is `open:<kind>` until the
 * first settle writes `done:<kind>:<answer>` (its TTL kept). ARGV: kind, answer JSON.
 * Returns 'won'; the stored `done:...` value when another answer was first; false when no
 * request of that kind is known (docs/protocol.md, "Approvals": the first answer wins, on any process).
 */
export const SETTLE_PENDING_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
if v == 'open:' .. ARGV[1] then
  redis.call('SET', KEYS[1], 'done:' .. ARGV[1] .. ':' .. ARGV[2], 'KEEPTTL')
  return 'won'
end
local done = 'done:' .. ARGV[1] .. ':'
if string.sub(v, 1, #done) == done then return v end
return false
`;
