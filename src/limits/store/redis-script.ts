/**
 * The Lua scripts the Redis store runs. Redis runs a script atomically, so a take reads every counter,
 * decides, and adds to all or none of them with no other command in between: two instances can never both
 * take the last unit. The arithmetic is ../window.ts step for step (Lua numbers are doubles, as in
 * JavaScript); a counter is one key per bucket, `KEY:BUCKET`, that expires once no window can read it.
 *
 * ARGV[1] is the time in ms, or '' for Redis's own clock (`TIME`), which every instance shares.
 */
import { REDIS_NOW_LUA } from '../../cluster/index.js';

/** Keeps a bucket while a window can still read it: to its end, plus one more window when sliding. */
const EXPIRE = `
local function keep(key, bucket, w, sliding)
  local untilMs = (bucket + 1) * w + (sliding and w or 0)
  redis.call('PEXPIRE', key, math.max(1, untilMs - now + 1000))
end
`;

/**
 * KEYS: one per counter. ARGV: now, then per counter: windowMs, sliding (1/0), limit, cost.
 * Returns { allowed, then per counter: allowed, used, remaining, retryAfterMs } as integers.
 */
export const TAKE_SCRIPT = `${REDIS_NOW_LUA}${EXPIRE}
local n = #KEYS
local out = { 1 }
local buckets = {}
for i = 1, n do
  local a = 1 + (i - 1) * 4
  local w = tonumber(ARGV[a + 1])
  local sliding = ARGV[a + 2] == '1'
  local limit = tonumber(ARGV[a + 3])
  local cost = tonumber(ARGV[a + 4])
  local bucket = math.floor(now / w)
  buckets[i] = bucket
  local elapsed = now - bucket * w
  local current = tonumber(redis.call('GET', KEYS[i] .. ':' .. string.format('%d', bucket)) or '0')
  local previous = 0
  if sliding then previous = tonumber(redis.call('GET', KEYS[i] .. ':' .. string.format('%d', bucket - 1)) or '0') end
  local weighted = current
  if sliding then weighted = (previous * (w - elapsed)) / w + current end
  local allowed = weighted < limit and weighted + cost <= limit
  local after = weighted
  if allowed then after = weighted + cost end
  local used = math.ceil(after)
  local retry = 0
  if not allowed then
    out[1] = 0
    local target = limit - math.max(cost, 1)
    local wait
    if not sliding then wait = w - elapsed
    elseif current <= target then wait = w - ((target - current) * w) / previous - elapsed
    else wait = w - elapsed + (w - (target * w) / current) end
    retry = math.max(1, math.ceil(wait))
  end
  out[#out + 1] = allowed and 1 or 0
  out[#out + 1] = used
  out[#out + 1] = math.max(0, limit - used)
  out[#out + 1] = retry
end
if out[1] == 1 then
  for i = 1, n do
    local a = 1 + (i - 1) * 4
    local cost = tonumber(ARGV[a + 4])
    if cost > 0 then
      local key = KEYS[i] .. ':' .. string.format('%d', buckets[i])
      redis.call('INCRBY', key, cost)
      keep(key, buckets[i], tonumber(ARGV[a + 1]), ARGV[a + 2] == '1')
    end
  end
end
return out
`;

/** KEYS: one per counter. ARGV: now, then per counter: windowMs, sliding (1/0), amount. */
export const CHARGE_SCRIPT = `${REDIS_NOW_LUA}${EXPIRE}
for i = 1, #KEYS do
  local a = 1 + (i - 1) * 3
  local w = tonumber(ARGV[a + 1])
  local bucket = math.floor(now / w)
  local key = KEYS[i] .. ':' .. string.format('%d', bucket)
  -- The amount as sent: a Lua number would be formatted as 1e+15 past 14 digits, which INCRBY refuses.
  redis.call('INCRBY', key, ARGV[a + 3])
  keep(key, bucket, w, ARGV[a + 2] == '1')
end
return 1
`;
