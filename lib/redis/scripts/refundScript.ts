import { luaScript } from "../luaScript.js";

/**
 * Gives back one grant in each window: removes its newest member (`ZPOPMAX`). The newest, not
 * the refunded request's own member: the two differ only by the few ms between grants, and the
 * caller does not need to carry member ids around.
 * KEYS: the window sorted sets. Returns the number of members removed.
 */
export const refundScript = luaScript(`
local removed = 0
for i = 1, #KEYS do
  local popped = redis.call('ZPOPMAX', KEYS[i])
  if #popped > 0 then removed = removed + 1 end
end
return removed
`);
