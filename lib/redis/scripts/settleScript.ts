import { luaScript } from "../luaScript.js";
import { KEEP_ALIVE } from "./keepAlive.js";

/**
 * Moves one grant to now in each window, when its response came (the server counted it at some
 * moment before that), less the window's own margin (which only covers the time from a grant to
 * the server counting it; the answer bounds that time by itself), and keeps each window alive for
 * a window after it (never shorter than it already lived). A member no longer held (expired or refunded) is not added back.
 * KEYS: the window sorted sets. ARGV: the member, the expiry margin ms, then `windowMs` per
 * window, then `marginMs` per window.
 * Returns the number of windows changed.
 */
export const settleScript = luaScript(`${KEEP_ALIVE}
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local margin = tonumber(ARGV[2])
local moved = 0
for i = 1, #KEYS do
  local to = now - (tonumber(ARGV[2 + #KEYS + i]) or 0)
  -- XX: a member no longer held is not added back.
  if redis.call('ZADD', KEYS[i], 'XX', 'CH', string.format('%.3f', to), ARGV[1]) == 1 then
    moved = moved + 1
    -- Never shorter (see keepAlive): slow start's answers, settled at its one-second window, expired
    -- a fleet's whole burst during the cooldown that followed it, and the fleet overshot the
    -- server's window when the cooldown ended.
    keepAlive(KEYS[i], tonumber(ARGV[2 + i]) + margin)
  end
end
return moved
`);
