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
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
end
`;

/**
 * KEYS: meta, events, endedRuns. ARGV: newEpoch, nowMs, maxEvents, maxAgeMs, metaTtlMs, channel,
 * framePrefix, frameSuffix, nonce, retry ('1' when an earlier attempt may have run), runId,
 * terminal ('1' for agent_completed / agent_error).
 * Returns { epoch, seq } or, for a retry that finds its own earlier entry, { epoch, seq, frame };
 * an error reply `AW_RUN_ENDED` when the run already has its terminal event (whichever
 * process wrote it: its runner or the orphan reaper), so a run never gets two.
 * Retained (XADD) before published (PUBLISH), in one atomic step.
 */
export const APPEND_SCRIPT = `${ensureEpoch}
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
redis.call('XADD', KEYS[2], 'MAXLEN', '=', ARGV[3], string.format('%d-%d', ms, seq), 'f', frame, 'n', ARGV[9])
local minId = now - tonumber(ARGV[4])
if minId > 0 then redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d', minId)) end
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
 * KEYS: meta, events. ARGV: newEpoch, nowMs, maxAgeMs, metaTtlMs, afterSeq (-1: head only).
 * Returns { epoch, lastSeq, oldestSeq, frames after afterSeq in order }.
 */
export const READ_SCRIPT = `${ensureEpoch}
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local last = tonumber(redis.call('HGET', KEYS[1], 'seq'))
local minId = tonumber(ARGV[2]) - tonumber(ARGV[3])
if minId > 0 then redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d', minId)) end
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

/** KEYS: run. ARGV: ttlMs. Marks a known run finished; never resurrects an expired one. */
export const FINISH_RUN_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'status', 'finished')
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 0
`;
