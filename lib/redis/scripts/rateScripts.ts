import { luaScript } from "../luaScript.js";

/**
 * `rate = clamp((current or initial) * multiply + add, min, max)`, or `clamp(set, min, max)`;
 * with `onlyIf`, only while the rate (or `initial`, when none is stored) is that value.
 * KEYS: rate. ARGV: initial, multiply, add, set ('' = none), min, max, ttl ms, onlyIf ('' = none).
 * Stored and returned as text with 17 significant digits, so doubles round-trip exactly.
 */
export const adjustRateScript = luaScript(`
local stored = redis.call('GET', KEYS[1])
if ARGV[8] ~= '' then
  local current = tonumber(stored) or tonumber(ARGV[1])
  local expected = tonumber(ARGV[8])
  local scale = math.max(1, math.abs(current), math.abs(expected))
  if math.abs(current - expected) > 1e-9 * scale then return string.format('%.17g', current) end
end
local value
if ARGV[4] ~= '' then
  value = tonumber(ARGV[4])
else
  local current = tonumber(stored) or tonumber(ARGV[1])
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
