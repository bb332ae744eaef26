import { luaScript } from "../luaScript.js";

/**
 * Moves one grant to now in each window, when its response came (the server counted it at some
 * moment before that), and keeps each window alive for a window after it. A member no longer held
 * (expired or refunded) is not added back.
 * KEYS: the window sorted sets. ARGV: the member, the expiry margin ms, then `windowMs` per window.
 * Returns the number of windows changed.
 */
export const settleScript = luaScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local nowText = string.format('%.3f', now)
local margin = tonumber(ARGV[2])
local moved = 0
for i = 1, #KEYS do
  if redis.call('ZADD', KEYS[i], 'XX', 'CH', nowText, ARGV[1]) == 1 then
    moved = moved + 1
    redis.call('PEXPIRE', KEYS[i], math.ceil(tonumber(ARGV[2 + i]) + margin))
  end
end
return moved
`);
