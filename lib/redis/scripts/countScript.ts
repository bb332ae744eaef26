import { luaScript } from "../luaScript.js";

/**
 * Counts the grants of a window made within the last `spanMs`, only while the cooldown holds.
 * KEYS: cooldown, window. ARGV: spanMs.
 * Returns the count, or -1 when the cooldown is not active (grants may be mixing in).
 * A grant counts in (now - spanMs, now], as in the reserve script.
 */
export const countScript = luaScript(`
if redis.replicate_commands then redis.replicate_commands() end
if redis.call('PTTL', KEYS[1]) <= 0 then return -1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
return redis.call('ZCOUNT', KEYS[2], '(' .. string.format('%.3f', now - tonumber(ARGV[1])), '+inf')
`);
