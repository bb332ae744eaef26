import { luaScript } from "../luaScript.js";

/**
 * Gives back one grant in each window: the grant's own member when ARGV[1] names it (a settled
 * grant may no longer be the newest), else the newest member (`ZPOPMAX`).
 * KEYS: the window sorted sets. ARGV: the member, or "". Returns the number of members removed.
 */
export const refundScript = luaScript(`
local removed = 0
for i = 1, #KEYS do
  if ARGV[1] ~= nil and ARGV[1] ~= '' then
    removed = removed + redis.call('ZREM', KEYS[i], ARGV[1])
  else
    local popped = redis.call('ZPOPMAX', KEYS[i])
    if #popped > 0 then removed = removed + 1 end
  end
end
return removed
`);
