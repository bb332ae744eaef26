import { luaScript } from "../luaScript.js";

// The same two transitions as lib/throttle/breakerState.ts (admitCircuit, recordCircuit), on a
// hash per circuit, timed by the server's TIME so every process agrees.
const NOW = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Admits a request or not; an open circuit past its break lets this one caller through as the probe.
 * KEYS: circuit. ARGV: breakMs, expiry margin ms.
 * Returns `{1, probe}` (probe 1 or 0) when admitted, else `{0, retryInMs}`.
 */
export const admitBreakerScript = luaScript(`${NOW}
local state = redis.call('HGET', KEYS[1], 'state')
if not state or state == 'closed' then return {1, 0} end
local untilMs = tonumber(redis.call('HGET', KEYS[1], 'until'))
if now < untilMs then return {0, math.max(1, untilMs - now)} end
local breakMs = tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'half-open', 'until', now + breakMs)
redis.call('PEXPIRE', KEYS[1], breakMs + tonumber(ARGV[2]))
return {1, 1}
`);

/**
 * Records an outcome.
 * KEYS: circuit. ARGV: outcome (success|failure|neutral), probe (1|0), consecutiveFailures
 * ('' = none), failureRatio ('' = none), minimumRequests, samplingMs ('' = none), breakMs,
 * expiry margin ms.
 * Returns `{state, changed}` (changed 1 or 0).
 */
export const recordBreakerScript = luaScript(`${NOW}
local key = KEYS[1]
local outcome, probe = ARGV[1], ARGV[2] == '1'
local consecutiveLimit, ratio = tonumber(ARGV[3]), tonumber(ARGV[4])
local minimum, sampling = tonumber(ARGV[5]), tonumber(ARGV[6])
local breakMs, margin = tonumber(ARGV[7]), tonumber(ARGV[8])
local state = redis.call('HGET', key, 'state') or 'closed'

local function open()
  redis.call('DEL', key)
  redis.call('HSET', key, 'state', 'open', 'until', now + breakMs)
  redis.call('PEXPIRE', key, breakMs * 2 + margin)
  return {'open', 1}
end

if probe and state == 'half-open' then
  if outcome == 'failure' then return open() end
  redis.call('DEL', key)
  return {'closed', 1}
end
if state ~= 'closed' or outcome == 'neutral' then return {state, 0} end

local fields = redis.call('HMGET', key, 'consecutive', 'windowStart', 'requests', 'failures')
local consecutive = tonumber(fields[1]) or 0
local windowStart = tonumber(fields[2]) or now
local requests = tonumber(fields[3]) or 0
local failures = tonumber(fields[4]) or 0
if sampling and now - windowStart >= sampling then
  windowStart, requests, failures = now, 0, 0
end
local failed = outcome == 'failure'
requests = requests + 1
if failed then
  failures = failures + 1
  consecutive = consecutive + 1
else
  consecutive = 0
end
if failed then
  if consecutiveLimit and consecutive >= consecutiveLimit then return open() end
  if ratio and requests >= (minimum or 1) and failures / requests >= ratio then return open() end
end
-- Nothing worth keeping: no run of failures, and no sampling window counting successes.
if consecutive == 0 and not ratio then
  redis.call('DEL', key)
  return {'closed', 0}
end
redis.call('HSET', key, 'state', 'closed', 'consecutive', consecutive, 'windowStart', windowStart, 'requests', requests, 'failures', failures)
redis.call('PEXPIRE', key, math.max(sampling or 0, breakMs) + margin)
return {'closed', 0}
`);
