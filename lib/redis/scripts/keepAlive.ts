/**
 * Lua: `keepAlive(key, ms)` sets a window key to expire in `ms` unless it already lives longer.
 * A key's life only grows: a caller counting a shorter span (slow start's second, a settle at it)
 * must not expire grants another kept longer (a learned window, slow start's own keep) while the
 * key is quiet. Shared by the reserve and settle scripts, which both set a window's expiry.
 */
export const KEEP_ALIVE = `
local function keepAlive(key, ms)
  local ttl = math.ceil(ms)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
`;
