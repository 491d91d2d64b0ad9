"""Lua scripts of the Redis hot backend: one script per operation, each atomic.

Keys of one pool share a hash tag `{key#token}` so a cluster keeps them on one shard.
KEYS[1] is that base; the script derives base..":meta" (hash: remaining, taken, seq,
limit, shares flag, close record), ":held" (member -> units), ":idem" ("member:key" ->
record), ":log" (records in seq order) and ":shares" (share amounts not yet taken).
One key instead of five keeps the call small: redis-py's packing of the arguments cost
more than the script. All five hash to the base's slot, so a cluster runs them as one.
A record is the JSON array [seq, kind, member, units, amount, idem_key, at, shares];
`at` is a string of microseconds since the epoch.
"""

_KEYS = """
local base = KEYS[1]
local K = {base .. ':meta', base .. ':held', base .. ':idem', base .. ':log', base .. ':shares'}
"""

# TAKE and GIVE_BACK run on every grab: one packed argument
# "member|units|limit|amount|at|idem_key" (the key last, it may hold "|"), and one
# string back whose first letter is the outcome: o(k) / r(eplay) + record, t(aken) +
# "seq|amount|shares" (the caller knows the rest), l(imit) / n(ot held) + units held,
# e(mpty), s(hares pool), m(issing pool), x (a client's key, "api:…", already used by
# another member or quantity: its owner is kept in ":idem" under "k:" .. key).
_ARGS = """
local member, n, limit, amount, at, idem = string.match(ARGV[1],
  '^(%d+)|(%d+)|(%d*)|(%d*)|(%d+)|(.*)$')
n = tonumber(n)
local f = member .. ':' .. idem
"""

# KEYS[2], when given, is the merchant's set of active members (siyu.hot.members): a
# member not in it answers u(nknown member), a set not loaded L(oad).
_TAKE_FN = """
local function take(base, mkey, arg)
local K = {base .. ':meta', base .. ':held', base .. ':idem', base .. ':log', base .. ':shares'}
local member, n, limit, amount, at, idem = string.match(arg,
  '^(%d+)|(%d+)|(%d*)|(%d*)|(%d+)|(.*)$')
n = tonumber(n)
local f = member .. ':' .. idem
if mkey and redis.call('SISMEMBER', mkey, member) == 0 then
  if redis.call('EXISTS', mkey) == 0 then return 'L' end
  return 'u'
end
local meta = redis.call('HMGET', K[1], 'remaining', 'limit', 'shares', 'taken', 'seq')
if not meta[1] then return 'm' end
local client = string.sub(idem, 1, 4) == 'api:'
if client then
  local owner = redis.call('HGET', K[3], 'k:' .. idem)
  if owner and owner ~= member .. '|' .. n then return 'x' end
end
local prev = redis.call('HGET', K[3], f)
if prev then return 'r' .. prev end
if limit == '' then limit = meta[2] end
local held = tonumber(redis.call('HGET', K[2], member) or '0')
if held + n > tonumber(limit) then return 'l' .. held end
local remaining = tonumber(meta[1])
if remaining < n then return 'e' end
local total = 0
local shares = {}
if meta[3] == '1' then
  for i = 1, n do
    local s = tonumber(redis.call('LPOP', K[5]))
    shares[i] = s
    total = total + s
  end
elseif amount ~= '' then
  total = tonumber(amount)
end
local seq = tonumber(meta[5]) + 1
redis.call('HSET', K[1], 'remaining', remaining - n, 'taken', tonumber(meta[4]) + n, 'seq', seq)
redis.call('HINCRBY', K[2], member, n)
local rec = cjson.encode({seq, 'take', tonumber(member), n, total, idem, at, shares})
redis.call('RPUSH', K[4], rec)
redis.call('HSET', K[3], f, rec)
if client then redis.call('HSET', K[3], 'k:' .. idem, member .. '|' .. n) end
return 't' .. seq .. '|' .. total .. '|' .. table.concat(shares, ',')
end
"""

TAKE = _TAKE_FN + "return take(KEYS[1], KEYS[2], ARGV[1])"

# Several takes in one call (siyu.hot.combine): take i is KEYS[2i-1] (the pool's base),
# KEYS[2i] (the member set, or the base again for no member check), ARGV[i]; each runs
# exactly as TAKE would, in order, and the answers come back as a list.
TAKE_MANY = _TAKE_FN + """
local out = {}
for i = 1, #ARGV do
  local mkey = KEYS[2 * i]
  if mkey == KEYS[2 * i - 1] then mkey = nil end
  out[i] = take(KEYS[2 * i - 1], mkey, ARGV[i])
end
return out
"""

GIVE_BACK = _KEYS + _ARGS + """
local meta = redis.call('HMGET', K[1], 'remaining', 'shares')
if not meta[1] then return 'm' end
local prev = redis.call('HGET', K[3], f)
if prev then return 'r' .. prev end
if meta[2] == '1' then return 's' end
local held = tonumber(redis.call('HGET', K[2], member) or '0')
if held < n then return 'n' .. held end
if held == n then
  redis.call('HDEL', K[2], member)
else
  redis.call('HINCRBY', K[2], member, -n)
end
redis.call('HINCRBY', K[1], 'remaining', n)
local seq = redis.call('HINCRBY', K[1], 'seq', 1)
local rec = cjson.encode({seq, 'give_back', tonumber(member), n, tonumber(amount), idem, at, {}})
redis.call('RPUSH', K[4], rec)
redis.call('HSET', K[3], f, rec)
return 'o' .. rec
"""

CLOSE = _KEYS + """
local meta = redis.call('HMGET', K[1], 'remaining', 'shares', 'close')
if not meta[1] then return {'missing'} end
if meta[3] then return {'replay', meta[3]} end
local units = tonumber(meta[1])
local shares = {}
local amount = 0
if meta[2] == '1' then
  local left = redis.call('LRANGE', K[5], 0, -1)
  for i, s in ipairs(left) do
    shares[i] = tonumber(s)
    amount = amount + shares[i]
  end
  redis.call('DEL', K[5])
end
redis.call('HSET', K[1], 'remaining', 0)
redis.call('HINCRBY', K[1], 'taken', units)
local seq = redis.call('HINCRBY', K[1], 'seq', 1)
local rec = cjson.encode({seq, 'close', 0, units, amount, ARGV[1], ARGV[2], shares})
redis.call('RPUSH', K[4], rec)
redis.call('HSET', K[3], '0:' .. ARGV[1], rec)
redis.call('HSET', K[1], 'close', rec)
return {'ok', rec}
"""

CREATE = _KEYS + """
if redis.call('EXISTS', K[1]) == 1 then return 0 end
local has_shares = ARGV[3]
if has_shares == '1' then
  for i = 4, #ARGV, 1000 do
    redis.call('RPUSH', K[5], unpack(ARGV, i, math.min(i + 999, #ARGV)))
  end
end
redis.call('HSET', K[1], 'total', ARGV[1], 'remaining', ARGV[1], 'taken', 0, 'seq', 0,
           'limit', ARGV[2], 'shares', has_shares)
return 1
"""

# Rebuild a pool that Redis lost, from the durable ledger (ARGV[1]: JSON document).
# The meta hash is written last: until it exists, every operation answers 'missing'.
RESTORE = _KEYS + """
if redis.call('EXISTS', K[1]) == 1 then return 0 end
local doc = cjson.decode(ARGV[1])
redis.call('DEL', K[2], K[3], K[4], K[5])
for i, rec in ipairs(doc.log) do
  redis.call('RPUSH', K[4], rec)
  local r = cjson.decode(rec)
  redis.call('HSET', K[3], tostring(r[3]) .. ':' .. r[6], rec)
  if r[2] == 'close' then redis.call('HSET', K[1], 'close', rec) end
end
for member, units in pairs(doc.held) do redis.call('HSET', K[2], member, units) end
for i, s in ipairs(doc.shares) do redis.call('RPUSH', K[5], s) end
redis.call('HSET', K[1], 'total', doc.total, 'remaining', doc.remaining, 'taken', doc.taken,
           'seq', doc.seq, 'limit', doc.limit, 'shares', doc.has_shares)
return 1
"""
