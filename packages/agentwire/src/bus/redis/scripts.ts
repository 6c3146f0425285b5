/**
 * The Lua run inside Redis, where several steps must happen as one. Entry ids are
 * `<ms>-<seq>`: `ms` (the appending process's clock, never below the previous entry's)
 * drives trimming by age with MINID, `seq` names the event. Entries are only ever trimmed
 * from the front, so the retained window is always a contiguous run of seqs ending at the
 * counter, and the newest `k` entries are exactly the events after `lastSeq - k`.
 */

/**
 * Shared: the stream's life. A missing meta key means its history is gone: startLife begins
 * a new one (new epoch, no stale entries); ensureEpoch returns the epoch, starting a life
 * when there is none.
 */
const ensureEpoch = `
local function startLife(meta, events, ended, epoch)
  redis.call('DEL', events)
  if ended then redis.call('DEL', ended) end
  redis.call('HSET', meta, 'epoch', epoch, 'seq', 0, 'bytes', 0)
end
local function ensureEpoch(meta, events, ended, newEpoch)
  local epoch = redis.call('HGET', meta, 'epoch')
  if not epoch then
    epoch = newEpoch
    startLife(meta, events, ended, epoch)
  end
  return epoch
end
`;

/**
 * Shared: drops entries from the front of the stream while there are more than maxEvents,
 * or they are older than minId (ms), or the retained frames exceed maxBytes (keeping the
 * newest entry). trimFrom takes the stream's `len` and `bytes` and the oldest entry's ms
 * when known (meta 'fms'), so an append that drops nothing reads nothing; it returns the
 * bytes left and the new oldest entry's ms (nil when unknown or empty). The byte total
 * lives in the meta hash ('bytes') and every trim goes through here, so it stays exact; an
 * empty stream (expired key) resets it. The entries a count overflow drops are read and
 * deleted in one XRANGE and one XDEL.
 */
const trimFront = `
local function trimFrom(events, len, bytes, maxEvents, minId, maxBytes, frontMs)
  if frontMs and len <= maxEvents and frontMs >= minId and (len <= 1 or bytes <= maxBytes) then return bytes, frontMs end
  frontMs = nil
  while len > 0 do
    local entries = redis.call('XRANGE', events, '-', '+', 'COUNT', math.min(math.max(len - maxEvents, 0) + 1, 1000))
    local drop = {}
    for _, entry in ipairs(entries) do
      local ms = tonumber(string.match(entry[1], '^(%d+)%-'))
      if not (len > maxEvents or ms < minId or (len > 1 and bytes > maxBytes)) then
        frontMs = ms
        break
      end
      bytes = bytes - string.len(entry[2][2])
      len = len - 1
      drop[#drop + 1] = entry[1]
    end
    if #drop > 0 then redis.call('XDEL', events, unpack(drop)) end
    if frontMs or #entries == 0 then break end
  end
  if len == 0 or bytes < 0 then bytes = 0 end
  return bytes, frontMs
end
local function keepFront(meta, frontMs)
  if frontMs then redis.call('HSET', meta, 'fms', frontMs) else redis.call('HDEL', meta, 'fms') end
end
local function trimFront(meta, events, maxEvents, minId, maxBytes)
  local len = redis.call('XLEN', events)
  local bytes = tonumber(redis.call('HGET', meta, 'bytes') or '0') or 0
  if len == 0 then bytes = 0 end
  local left, frontMs = trimFrom(events, len, bytes, maxEvents, minId, maxBytes, nil)
  redis.call('HSET', meta, 'bytes', left)
  keepFront(meta, frontMs)
end
`;

/** Per appended item, in the batch script's reply: the seq, or this marker when its run has ended. */
export const RUN_ENDED_MARK = -1;

/**
 * The appends of one batch (docs/deploy.md, "Appends are batched"), grouped by user, in one
 * atomic step. KEYS: per user group, meta, events, endedRuns. ARGV: nowMs, maxEvents,
 * maxAgeMs, metaTtlMs, maxBytes, newEpoch (a new stream's epoch is it plus the group's
 * number), retry ('1' when an earlier attempt of this batch may have run), the batch's
 * nonce (item k's entry is tagged with it followed by k, counted over the whole batch);
 * then per group: channel, item count; then per item two arguments: the frame without its
 * seq (the seq goes right after its first `"seq":`, which is the seq key's: event-text.ts),
 * and the run ('1' or '0' for terminal, agent_completed / agent_error, then the run id).
 * Two arguments per item rather than six: encoding them was a sixth of a gateway's CPU
 * (issue 19, "Redis engine").
 * Returns one flat list: per group its epoch, then one result per item in order: its seq;
 * for a retry that finds its own earlier entry { seq, frame }; RUN_ENDED_MARK when the run
 * already has its terminal event (whichever process wrote it, whichever item of this
 * batch), so a run never gets two. Items of one user get consecutive seqs in the order given.
 * Every item is retained (XADD) before its user's one PUBLISH carries the group's new
 * frames (`<epoch>\n<frame>\n<frame>...`: frames are JSON, which has no raw newline).
 */
export const APPEND_BATCH_SCRIPT = `${ensureEpoch}${trimFront}
local now = tonumber(ARGV[1])
local maxEvents = tonumber(ARGV[2])
local maxAgeMs = tonumber(ARGV[3])
local metaTtlMs = ARGV[4]
local maxBytes = tonumber(ARGV[5])
local newEpoch = ARGV[6]
local retry = ARGV[7]
local batchNonce = ARGV[8]
local out = {}
local a = 9
local k = 1
local ordinal = 0
while ARGV[a] do
  local meta, events, ended = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  -- ensureEpoch, with the counter and byte total read in the same call.
  -- 'ms': the newest entry's ms; 'fms': the oldest's (absent in streams of older versions: then read).
  local state = redis.call('HMGET', meta, 'epoch', 'seq', 'bytes', 'ms', 'fms')
  local epoch = state[1]
  if not epoch then
    epoch = newEpoch .. string.format('%d', (k + 2) / 3)
    startLife(meta, events, ended, epoch)
  end
  local seq = tonumber(state[2] or '0') or 0
  local bytes = tonumber(state[3] or '0') or 0
  local lastMs = tonumber(state[4])
  local frontMs = tonumber(state[5])
  local len = nil
  k = k + 3
  local channel = ARGV[a]
  local n = tonumber(ARGV[a + 1])
  a = a + 2
  out[#out + 1] = epoch
  local ms = nil
  local endedNow = false
  local byNonce = nil
  local frames = {}
  -- The last run checked against the ended set, and whether it has ended: a group's items
  -- are mostly one run's, so one ZSCORE serves them.
  local checkedRun, runEnded = nil, false
  for i = 1, n do
    local text, run = ARGV[a], ARGV[a + 1]
    a = a + 2
    ordinal = ordinal + 1
    local nonce = batchNonce .. ordinal
    local terminal = string.sub(run, 1, 1)
    local runId = string.sub(run, 2)
    local earlier = nil
    if retry == '1' then
      if not byNonce then
        -- Every item of this group may have been written by the attempt that lost its reply.
        byNonce = {}
        for _, entry in ipairs(redis.call('XREVRANGE', events, '+', '-', 'COUNT', n + 64)) do
          byNonce[entry[2][4]] = entry
        end
      end
      earlier = byNonce[nonce]
    end
    if not earlier and runId ~= checkedRun then
      checkedRun = runId
      runEnded = redis.call('ZSCORE', ended, runId) ~= false
    end
    if earlier then
      out[#out + 1] = { tonumber(string.match(earlier[1], '%-(%d+)$')), earlier[2][2] }
      -- The lost attempt may have ended a run: the next item asks the ended set again.
      checkedRun = nil
    elseif runEnded then
      out[#out + 1] = ${RUN_ENDED_MARK}
    else
      if not ms then
        ms = now
        len = redis.call('XLEN', events)
        if len == 0 then
          -- An empty stream (expired key) holds no bytes; its first entry is this one.
          bytes = 0
          frontMs = nil
        elseif not lastMs then
          local last = redis.call('XREVRANGE', events, '+', '-', 'COUNT', 1)
          lastMs = tonumber(string.match(last[1][1], '^(%d+)%-'))
        end
        if lastMs and lastMs > ms then ms = lastMs end
        frontMs = frontMs or (len == 0 and ms or nil)
      end
      seq = seq + 1
      local at = string.find(text, '"seq":', 1, true) + 5
      local frame = string.sub(text, 1, at) .. string.format('%d', seq) .. string.sub(text, at + 1)
      redis.call('XADD', events, string.format('%d-%d', ms, seq), 'f', frame, 'n', nonce)
      bytes = bytes + string.len(frame)
      if terminal == '1' then
        redis.call('ZADD', ended, now, runId)
        endedNow = true
        runEnded = true
      end
      frames[#frames + 1] = frame
      out[#out + 1] = seq
    end
  end
  if #frames > 0 then
    bytes, frontMs = trimFrom(events, len + #frames, bytes, maxEvents, now - maxAgeMs, maxBytes, frontMs)
    if frontMs then
      redis.call('HSET', meta, 'seq', seq, 'bytes', bytes, 'ms', ms, 'fms', frontMs)
    else
      redis.call('HSET', meta, 'seq', seq, 'bytes', bytes, 'ms', ms)
      redis.call('HDEL', meta, 'fms')
    end
    redis.call('PEXPIRE', events, maxAgeMs)
    redis.call('PEXPIRE', meta, metaTtlMs)
    if endedNow then
      redis.call('ZREMRANGEBYSCORE', ended, '-inf', now - tonumber(metaTtlMs))
      redis.call('PEXPIRE', ended, metaTtlMs)
    end
    redis.call('PUBLISH', channel, epoch .. '\\n' .. table.concat(frames, '\\n'))
  end
end
return out
`;

/**
 * KEYS: meta, events. ARGV: newEpoch, nowMs, maxAgeMs, metaTtlMs, afterSeq (-1: head only), maxEvents, maxBytes.
 * Returns { epoch, lastSeq, oldestSeq, frames after afterSeq in order }.
 */
export const READ_SCRIPT = `${ensureEpoch}${trimFront}
local epoch = ensureEpoch(KEYS[1], KEYS[2], nil, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local last = tonumber(redis.call('HGET', KEYS[1], 'seq'))
trimFront(KEYS[1], KEYS[2], tonumber(ARGV[6]), tonumber(ARGV[2]) - tonumber(ARGV[3]), tonumber(ARGV[7]))
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
