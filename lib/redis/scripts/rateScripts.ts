import { luaScript } from "../luaScript.js";

/**
 * `rate = clamp((current or initial) * multiply + add, min, max)`, or `clamp(set, min, max)`.
 * KEYS: rate. ARGV: initial, multiply, add, set ('' = none), min, max, ttl ms.
 * Stored and returned as text with 17 significant digits, so doubles round-trip exactly.
 */
export const adjustRateScript = luaScript(`
local value
if ARGV[4] ~= '' then
  value = tonumber(ARGV[4])
else
  local current = tonumber(redis.call('GET', KEYS[1])) or tonumber(ARGV[1])
  value = current * tonumber(ARGV[2]) + tonumber(ARGV[3])
end
local low, high = tonumber(ARGV[5]), tonumber(ARGV[6])
if value < low then value = low end
if value > high then value = high end
local text = string.format('%.17g', value)
redis.call('SET', KEYS[1], text, 'PX', ARGV[7])
return text
`);

/** KEYS: rate. Returns the stored rate as text, or nil. */
export const readRateScript = luaScript(`
return redis.call('GET', KEYS[1])
`);
