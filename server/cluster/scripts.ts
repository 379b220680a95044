/**
 * The Lua scripts of cluster mode. Each runs atomically inside Redis, so a check and the change
 * it guards (room capacity, "is the target in my room?", "is that process really dead?") can never
 * interleave with another process's. Redis caches them by SHA; ioredis sends `EVALSHA` and falls
 * back to `EVAL` after a Redis restart emptied the cache.
 *
 * Keys (all under a prefix, default `wp:`):
 * - `room:<room>`   hash: peer id → `<process id>\n<PeerInfo JSON>`
 * - `peers:<proc>`  set of `<room>\n<peer id>` a process holds (to clean up after it dies)
 * - `alive:<proc>`  heartbeat key with a TTL (PX): gone = the process is dead
 * - `procs`         set of process ids that registered
 * - `resume:<token>` (resume tokens) → `<room>\n<peer id>`, with the grace period as TTL
 * Channel `proc:<proc>`: one per process; a message is `<peer id>\n<JSON text>` for that peer.
 *
 * @see https://redis.io/docs/latest/develop/interact/programmability/eval-intro/
 */

/** Lua helpers shared by every script: `tell` publishes `text` to the process holding entry `v`. */
const HELPERS = `
local function procOf(v) return string.sub(v, 1, string.find(v, '\\n', 1, true) - 1) end
local function infoOf(v) return string.sub(v, string.find(v, '\\n', 1, true) + 1) end
local function tell(prefix, v, id, text) redis.call('PUBLISH', prefix .. 'proc:' .. procOf(v), id .. '\\n' .. text) end
local function tellRoom(prefix, key, except, text)
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if all[i] ~= except then tell(prefix, all[i + 1], all[i], text) end
  end
end
`;

/**
 * JOIN — KEYS: room hash, own peers set. ARGV: id, proc, capacity, PeerInfo JSON, peer-joined text,
 * room, prefix. Returns `{0}` when full, else `{1, {PeerInfo JSON of the others…}}` after telling them.
 */
export const JOIN = `${HELPERS}
local all = redis.call('HGETALL', KEYS[1])
if #all / 2 >= tonumber(ARGV[3]) then return {0, {}} end
local others = {}
for i = 1, #all, 2 do
  tell(ARGV[7], all[i + 1], all[i], ARGV[5])
  others[#others + 1] = infoOf(all[i + 1])
end
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
if not v or procOf(v) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
tellRoom(ARGV[5], KEYS[1], ARGV[1], ARGV[3])
return 1
`;

/**
 * ROUTE — KEYS: room hash. ARGV: sender id, target id ('' = every other peer), text, prefix.
 * Returns -1 when the sender is not in the room (any more), 0 for an unknown target, else the
 * number of peers it was published to. The isolation check and the publish are one atomic step.
 */
export const ROUTE = `${HELPERS}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
if ARGV[2] ~= '' then
  if ARGV[2] == ARGV[1] then return 0 end
  local v = redis.call('HGET', KEYS[1], ARGV[2])
  if not v then return 0 end
  tell(ARGV[4], v, ARGV[2], ARGV[3])
  return 1
end
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] then tell(ARGV[4], all[i + 1], all[i], ARGV[3]); n = n + 1 end
end
return n
`;

/**
 * HEARTBEAT — KEYS: own alive key, procs set. ARGV: ttl ms, proc, prefix, reap ('1' or '0').
 * Refreshes this process's heartbeat, then (when `reap` is '1') reaps every registered process whose heartbeat key expired: removes its peers
 * from their rooms and tells the rest `peer-left`. Returns `{wasRegistered, reapedPeers}`;
 * `wasRegistered` 0 means this process itself had been reaped (or Redis lost its data).
 */
export const HEARTBEAT = `${HELPERS}
local was = redis.call('SISMEMBER', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
local reaped = 0
for _, proc in ipairs(ARGV[4] == '1' and redis.call('SMEMBERS', KEYS[2]) or {}) do
  if redis.call('EXISTS', ARGV[3] .. 'alive:' .. proc) == 0 then
    local set = ARGV[3] .. 'peers:' .. proc
    for _, entry in ipairs(redis.call('SMEMBERS', set)) do
      local nl = string.find(entry, '\\n', 1, true)
      local key = ARGV[3] .. 'room:' .. string.sub(entry, 1, nl - 1)
      local id = string.sub(entry, nl + 1)
      local v = redis.call('HGET', key, id)
      if v and procOf(v) == proc then
        redis.call('HDEL', key, id)
        tellRoom(ARGV[3], key, id, '{"type":"peer-left","id":"' .. id .. '"}')
        reaped = reaped + 1
      end
    end
    redis.call('DEL', set)
    redis.call('SREM', KEYS[2], proc)
  end
end
return {was, reaped}
`;

/**
 * REBUILD — KEYS: own alive key, procs set, own peers set. ARGV: ttl ms, proc, prefix, announce
 * ('1' tells the rooms `peer-joined`), then triples (room, id, PeerInfo JSON) of this process's
 * peers. Puts them back into their rooms after Redis lost its data (restart without persistence)
 * or after this process was reaped while alive (an event-loop stall longer than the TTL).
 * Returns the number of peers put back.
 */
export const REBUILD = `${HELPERS}
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
local n = 0
for i = 5, #ARGV, 3 do
  local key = ARGV[3] .. 'room:' .. ARGV[i]
  if ARGV[4] == '1' and redis.call('HEXISTS', key, ARGV[i + 1]) == 0 then
    tellRoom(ARGV[3], key, ARGV[i + 1], '{"type":"peer-joined","peer":' .. ARGV[i + 2] .. '}')
  end
  redis.call('HSET', key, ARGV[i + 1], ARGV[2] .. '\\n' .. ARGV[i + 2])
  redis.call('SADD', KEYS[3], ARGV[i] .. '\\n' .. ARGV[i + 1])
  n = n + 1
end
return n
`;
