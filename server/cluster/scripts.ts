/**
 * The Lua scripts of cluster mode. Each runs atomically inside Redis, so a check and the change
 * it guards (room capacity, "is the target in my room?", "is that process really dead?") can never
 * interleave with another process's. Redis caches them by SHA; ioredis sends `EVALSHA` and falls
 * back to `EVAL` after a Redis restart emptied the cache.
 *
 * Keys (all under a prefix, default `wp:`):
 * - `room:<room>`   hash: peer id → `<process id>\n<PeerInfo JSON>`; the process id is prefixed
 *                   with `~` while the peer's connection dropped and its place is held for a resume
 * - `held:<peer id>` list: messages for a held peer (the last 256), handed over when it resumes
 * - `peers:<proc>`  set of `<room>\n<peer id>` a process holds (to clean up after it dies)
 * - `alive:<proc>`  heartbeat key with a TTL (PX): gone = the process is dead
 * - `procs`         set of process ids that registered
 * - `recovering`    set by each process that finds Redis lost its data (a restart without
 *                   persistence), for one TTL plus the longest reconnect backoff: while it lives,
 *                   other processes may not have put their peers back yet
 * - `recent:<room>` list, while `recovering` lives: what was sent in the room, as
 *                   `<sender>\n<target or ''>\n,<ids it reached>,\n<text>` (the last 256); a peer put
 *                   back later gets the entries meant for it that did not reach it, in order
 * Channel `proc:<proc>`: one per process; a message is `<peer id>\n<JSON text>` for that peer.
 *
 * @see https://redis.io/docs/latest/develop/interact/programmability/eval-intro/
 */

/**
 * Lua helpers shared by every script: `tell` publishes `text` to the process holding entry `v`, or
 * keeps it in the peer's `held:` list while its place is held; `owner` is the process id without `~`.
 */
const HELPERS = `
local function procOf(v) return string.sub(v, 1, string.find(v, '\\n', 1, true) - 1) end
local function infoOf(v) return string.sub(v, string.find(v, '\\n', 1, true) + 1) end
local function owner(v) local p = procOf(v); if string.sub(p, 1, 1) == '~' then return string.sub(p, 2) end return p end
local function tell(prefix, v, id, text)
  local p = procOf(v)
  if string.sub(p, 1, 1) == '~' then
    redis.call('RPUSH', prefix .. 'held:' .. id, text)
    redis.call('LTRIM', prefix .. 'held:' .. id, -256, -1)
  else
    redis.call('PUBLISH', prefix .. 'proc:' .. p, id .. '\\n' .. text)
  end
end
local function remember(prefix, room, sender, to, got, text)
  local left = redis.call('PTTL', prefix .. 'recovering')
  if left <= 0 then return end
  local key = prefix .. 'recent:' .. room
  redis.call('RPUSH', key, sender .. '\\n' .. to .. '\\n' .. got .. '\\n' .. text)
  redis.call('LTRIM', key, -256, -1)
  redis.call('PEXPIRE', key, left)
end
local function tellRoom(prefix, room, except, text)
  local all = redis.call('HGETALL', prefix .. 'room:' .. room)
  local got = ','
  local n = 0
  for i = 1, #all, 2 do
    if all[i] ~= except then
      tell(prefix, all[i + 1], all[i], text)
      got = got .. all[i] .. ','
      n = n + 1
    end
  end
  remember(prefix, room, except, '', got, text)
  return n
end
local function catchUp(prefix, room, id, v)
  local key = prefix .. 'recent:' .. room
  for j, e in ipairs(redis.call('LRANGE', key, 0, -1)) do
    local a = string.find(e, '\\n', 1, true)
    local b = string.find(e, '\\n', a + 1, true)
    local c = string.find(e, '\\n', b + 1, true)
    local sender, to, got = string.sub(e, 1, a - 1), string.sub(e, a + 1, b - 1), string.sub(e, b + 1, c - 1)
    if sender ~= id and (to == '' or to == id) and not string.find(got, ',' .. id .. ',', 1, true) then
      tell(prefix, v, id, string.sub(e, c + 1))
      redis.call('LSET', key, j - 1, sender .. '\\n' .. to .. '\\n' .. got .. id .. ',\\n' .. string.sub(e, c + 1))
    end
  end
end
`;

/**
 * JOIN — KEYS: room hash, own peers set. ARGV: id, proc, capacity, PeerInfo JSON, peer-joined text,
 * room, prefix. Returns `{0}` when full, `{2, {}, ms}` while `recovering` lives (for ms more: the
 * room may hold peers not put back yet, so its capacity cannot be checked), else
 * `{1, {PeerInfo JSON of the others…}}` after telling them.
 */
export const JOIN = `${HELPERS}
local wait = redis.call('PTTL', ARGV[7] .. 'recovering')
if wait > 0 then return {2, {}, wait} end
local all = redis.call('HGETALL', KEYS[1])
if #all / 2 >= tonumber(ARGV[3]) then return {0, {}} end
local others = {}
for i = 1, #all, 2 do others[#others + 1] = infoOf(all[i + 1]) end
tellRoom(ARGV[7], ARGV[6], ARGV[1], ARGV[5])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '\\n' .. ARGV[4])
redis.call('SADD', KEYS[2], ARGV[6] .. '\\n' .. ARGV[1])
return {1, others}
`;

/**
 * LEAVE — KEYS: room hash, own peers set. ARGV: id, proc, peer-left text, room, prefix.
 * Removes the peer only if this process still holds it (it may have resumed on another one),
 * then tells the rest of the room. Returns 1 when removed, 0 when not ours.
 */
export const LEAVE = `${HELPERS}
redis.call('SREM', KEYS[2], ARGV[4] .. '\\n' .. ARGV[1])
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v or owner(v) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', ARGV[5] .. 'held:' .. ARGV[1])
tellRoom(ARGV[5], ARGV[4], ARGV[1], ARGV[3])
return 1
`;

/**
 * ROUTE — KEYS: room hash. ARGV: sender id, target id ('' = every other peer), text, prefix, room.
 * Returns -1 when the sender is not in the room (any more), 0 for an unknown target, else the
 * number of peers it was published to. The isolation check and the publish are one atomic step.
 * While `recovering`, an unknown target may be a peer whose process has not put it back yet: the
 * text is kept in `recent:` for it (returns 1), and a broadcast is kept for whoever comes back.
 */
export const ROUTE = `${HELPERS}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
if ARGV[2] ~= '' then
  if ARGV[2] == ARGV[1] then return 0 end
  local v = redis.call('HGET', KEYS[1], ARGV[2])
  if v then
    tell(ARGV[4], v, ARGV[2], ARGV[3])
    return 1
  end
  if redis.call('EXISTS', ARGV[4] .. 'recovering') == 0 then return 0 end
  remember(ARGV[4], ARGV[5], ARGV[1], ARGV[2], ',', ARGV[3])
  return 1
end
return tellRoom(ARGV[4], ARGV[5], ARGV[1], ARGV[3])
`;

/**
 * HEARTBEAT — KEYS: own alive key, procs set. ARGV: ttl ms, proc, prefix, reap ('1' or '0').
 * Refreshes this process's heartbeat, then (when `reap` is '1') reaps every registered process whose heartbeat key expired: removes its peers
 * from their rooms and tells the rest `peer-left`. Returns `{wasRegistered, reapedPeers, {dead process ids}}`;
 * `wasRegistered` 0 means this process itself had been reaped (or Redis lost its data).
 */
export const HEARTBEAT = `${HELPERS}
local was = redis.call('SISMEMBER', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
local reaped = 0
local gone = {}
for _, proc in ipairs(ARGV[4] == '1' and redis.call('SMEMBERS', KEYS[2]) or {}) do
  if redis.call('EXISTS', ARGV[3] .. 'alive:' .. proc) == 0 then
    local set = ARGV[3] .. 'peers:' .. proc
    for _, entry in ipairs(redis.call('SMEMBERS', set)) do
      local nl = string.find(entry, '\\n', 1, true)
      local room = string.sub(entry, 1, nl - 1)
      local key = ARGV[3] .. 'room:' .. room
      local id = string.sub(entry, nl + 1)
      local v = redis.call('HGET', key, id)
      if v and owner(v) == proc then
        redis.call('HDEL', key, id)
        redis.call('DEL', ARGV[3] .. 'held:' .. id)
        tellRoom(ARGV[3], room, id, '{"type":"peer-left","id":"' .. id .. '"}')
        reaped = reaped + 1
      end
    end
    redis.call('DEL', set)
    redis.call('SREM', KEYS[2], proc)
    gone[#gone + 1] = proc
  end
end
return {was, reaped, gone}
`;

/**
 * REBUILD — KEYS: own alive key, procs set, own peers set. ARGV: ttl ms, proc, prefix, announce
 * ('1' tells the rooms `peer-joined`), recovery ms, then quadruples (room, id, PeerInfo JSON, held '1'/'0') of
 * this process's peers. Puts them back into their rooms after Redis lost its data (restart without
 * persistence) or after this process was reaped while alive (an event-loop stall longer than the
 * TTL). After a reconnect (not `announce`) to a Redis that lost this process's peers set, it starts
 * (or extends) `recovering` for recovery ms; each peer put back gets what `recent:` kept for it. Returns the number of
 * peers put back.
 */
export const REBUILD = `${HELPERS}
if ARGV[4] == '0' and #ARGV >= 6 and redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('SET', ARGV[3] .. 'recovering', '1', 'PX', ARGV[5])
end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
local n = 0
for i = 6, #ARGV, 4 do
  local key = ARGV[3] .. 'room:' .. ARGV[i]
  if ARGV[4] == '1' and redis.call('HEXISTS', key, ARGV[i + 1]) == 0 then
    tellRoom(ARGV[3], ARGV[i], ARGV[i + 1], '{"type":"peer-joined","peer":' .. ARGV[i + 2] .. '}')
  end
  local mark = ARGV[i + 3] == '1' and '~' or ''
  local v = mark .. ARGV[2] .. '\\n' .. ARGV[i + 2]
  redis.call('HSET', key, ARGV[i + 1], v)
  catchUp(ARGV[3], ARGV[i], ARGV[i + 1], v)
  redis.call('SADD', KEYS[3], ARGV[i] .. '\\n' .. ARGV[i + 1])
  n = n + 1
end
return n
`;

/**
 * DELIVER — KEYS: room hash. ARGV: target id, text, prefix. Hands `text` to whoever holds the
 * target now (its new process after a resume, or its held list). Returns 1, or 0 when it is gone.
 */
export const DELIVER = `${HELPERS}
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
tell(ARGV[3], v, ARGV[1], ARGV[2])
return 1
`;

/**
 * HOLD — KEYS: room hash. ARGV: id, proc. The peer's connection dropped: mark its place held
 * (`~<proc>`) so messages for it go to its `held:` list. Returns 1, or 0 when not ours.
 */
export const HOLD = `${HELPERS}
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v or procOf(v) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], '~' .. ARGV[2] .. '\\n' .. infoOf(v))
return 1
`;

/**
 * RESUME — KEYS: room hash, own peers set. ARGV: id, proc, PeerInfo JSON ('' keeps the old one),
 * prefix, room. Moves peer `id` (held, or still attached elsewhere) to this process. The old
 * process, when another one, gets an empty message for `id` (a takeover: close the old socket).
 * Returns `{0}` when the id is not in the room, `{2}` when it is not (yet) while `recovering` lives
 * (its process may not have put it back yet), else `{1, {others' PeerInfo JSON}, {held messages},
 * wasHeld, PeerInfo JSON}`.
 */
export const RESUME = `${HELPERS}
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then
  if redis.call('EXISTS', ARGV[4] .. 'recovering') == 1 then return {2, {}, {}, 0, ''} end
  return {0, {}, {}, 0, ''}
end
local old = owner(v)
local info = ARGV[3] ~= '' and ARGV[3] or infoOf(v)
local wasHeld = string.sub(procOf(v), 1, 1) == '~' and 1 or 0
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '\\n' .. info)
redis.call('SADD', KEYS[2], ARGV[5] .. '\\n' .. ARGV[1])
if old ~= ARGV[2] then
  redis.call('SREM', ARGV[4] .. 'peers:' .. old, ARGV[5] .. '\\n' .. ARGV[1])
  redis.call('PUBLISH', ARGV[4] .. 'proc:' .. old, ARGV[1] .. '\\n')
end
local heldKey = ARGV[4] .. 'held:' .. ARGV[1]
local backlog = redis.call('LRANGE', heldKey, 0, -1)
redis.call('DEL', heldKey)
local others = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] then others[#others + 1] = infoOf(all[i + 1]) end
end
return {1, others, backlog, wasHeld, info}
`;
