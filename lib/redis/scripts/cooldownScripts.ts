import { luaScript } from "../luaScript.js";

/**
 * Makes a cooldown last at least `ARGV[1]` ms (a positive integer) from now; never shortens it.
 * The cooldown is a key whose `PTTL` is the time left, so it expires by itself.
 * KEYS: cooldown. Returns the remaining ms.
 */
export const extendCooldownScript = luaScript(`
local current = redis.call('PTTL', KEYS[1])
local wanted = tonumber(ARGV[1])
if wanted > current then
  redis.call('SET', KEYS[1], '1', 'PX', wanted)
  return wanted
end
return current
`);

/** KEYS: cooldown. Returns the remaining ms, or 0 when none. */
export const cooldownRemainingScript = luaScript(`
local current = redis.call('PTTL', KEYS[1])
if current < 0 then return 0 end
return current
`);
