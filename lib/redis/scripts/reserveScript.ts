import { luaScript } from "../luaScript.js";
import { KEEP_ALIVE } from "./keepAlive.js";

/**
 * Takes one slot atomically, or nothing.
 *
 * KEYS: cooldown, [pace], window 1..n.
 * ARGV: member suffix (unique per call), pace interval ms (0 = no pace key), expiry margin ms,
 * then `limit, windowMs, keepMs` per window: grants are counted within `windowMs` and kept (not
 * pruned) for `keepMs`, so a request that counts over a shorter span (a window probe) leaves the
 * grants that other requests still count.
 * Returns `{1, member, used}` when granted (the member names the grant for the settle script; `used` counts the first window's grants, this one included, and `oldestAge` is the age in ms of its oldest, as text), else `{0, waitMs, reason}`, where the wait is the longest of all
 * refusals, so a retry after it can succeed.
 *
 * A window's key expires `keepMs` (plus the margin) after its last grant, never sooner than it
 * was set to before.
 * Times come from the server's `TIME` with microsecond precision, so skewed clients agree.
 * Windows are sorted sets scored by grant time in ms (3 decimals); a grant counts in
 * (now - windowMs, now].
 */
export const reserveScript = luaScript(`${KEEP_ALIVE}
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local nowText = string.format('%.3f', now)
local paceInterval = tonumber(ARGV[2])
local margin = tonumber(ARGV[3])

local cooldown = redis.call('PTTL', KEYS[1])
if cooldown > 0 then return {0, tostring(cooldown), 'cooldown'} end

local wait, reason = 0, false
local firstWindow = 2
if paceInterval > 0 then
  firstWindow = 3
  local nextAt = tonumber(redis.call('GET', KEYS[2]))
  if nextAt and nextAt > now then wait, reason = nextAt - now, 'pace' end
end

local windows = #KEYS - firstWindow + 1
for i = 0, windows - 1 do
  local key = KEYS[firstWindow + i]
  local limit = tonumber(ARGV[4 + 3 * i])
  local span = tonumber(ARGV[5 + 3 * i])
  local keep = math.max(span, tonumber(ARGV[6 + 3 * i]))
  redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.3f', now - keep))
  local kept = redis.call('ZCARD', key)
  local count = kept
  if keep > span then count = redis.call('ZCOUNT', key, string.format('(%.3f', now - span), '+inf') end
  if count >= limit then
    local w = span
    if limit > 0 then
      -- The slot frees when the grant that keeps the window full leaves it (the newest grants are the ones counted).
      local entry = redis.call('ZRANGE', key, kept - limit, kept - limit, 'WITHSCORES')
      w = tonumber(entry[2]) + span - now
    end
    if w > wait or not reason then wait, reason = w, 'budget' end
  end
end

if reason then
  if wait < 1 then wait = 1 end
  return {0, tostring(math.ceil(wait)), reason}
end

local member = nowText .. ':' .. ARGV[1]
local used, oldestAge = 0, '0'
for i = 0, windows - 1 do
  local key = KEYS[firstWindow + i]
  local span = tonumber(ARGV[5 + 3 * i])
  local keep = math.max(span, tonumber(ARGV[6 + 3 * i]))
  redis.call('ZADD', key, nowText, member)
  keepAlive(key, keep + margin)
  if i == 0 then
    local from = string.format('(%.3f', now - span)
    used = redis.call('ZCOUNT', key, from, '+inf')
    local oldest = redis.call('ZRANGEBYSCORE', key, from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    oldestAge = string.format('%.3f', math.max(0, now - tonumber(oldest[2])))
  end
end
if paceInterval > 0 then
  redis.call('SET', KEYS[2], string.format('%.3f', now + paceInterval), 'PX', math.ceil(paceInterval + margin))
end
return {1, member, used, oldestAge}
`);
