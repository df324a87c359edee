-- One atomic step on one API key's shared rate-limit window (s4e, RedisStore).
--
-- KEYS[1]  hash: limit, remaining (the lowest any answer of the window
--          stated), reset (Unix ms), probe (the slot sent to learn the
--          window after a reset)
-- KEYS[2]  sorted set: the slots in flight, scored by when their lease ends
-- ARGV[1]  'acquire' | 'record' | 'release'
-- ARGV[2]  the slot ('' for none)
-- acquire: ARGV[3] the lease in ms
--          returns {0, 1 if probe else 0} send | {1, ms} nothing remains
--          until the reset | {2, ms} requests in flight hold what remains |
--          {3, 0} a probe is out
-- record:  ARGV[3] '1' when the answer stated a limit, ARGV[4] limit,
--          ARGV[5] remaining, ARGV[6] reset (Unix ms); frees the slot
-- release: frees the slot
-- Constants: ARGV[7] same-window ms, ARGV[8] skewed-reset ms, ARGV[9] idle ms.
--
-- Time is Redis's own (TIME), one clock for every worker.
local window, slots = KEYS[1], KEYS[2]
local op, slot = ARGV[1], ARGV[2]
local same_window, skewed_reset, idle =
  tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local function int(n)
  return string.format('%.0f', n)
end

-- Leases of requests whose process died with them.
redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
local probe = redis.call('HGET', window, 'probe')
if probe and not redis.call('ZSCORE', slots, probe) then
  redis.call('HDEL', window, 'probe')
  probe = false
end

local function free()
  if slot ~= '' then
    redis.call('ZREM', slots, slot)
    if probe == slot then
      redis.call('HDEL', window, 'probe')
    end
  end
end

if op == 'release' then
  free()
  return 0
end

local w = redis.call('HMGET', window, 'limit', 'remaining', 'reset')
local limit, remaining, reset = tonumber(w[1]), tonumber(w[2]), tonumber(w[3])

if op == 'acquire' then
  local lease = tonumber(ARGV[3])
  local function take(is_probe)
    redis.call('ZADD', slots, int(now + lease), slot)
    redis.call('PEXPIRE', slots, int(lease + idle))
    if is_probe then
      redis.call('HSET', window, 'probe', slot)
    end
    return {0, is_probe and 1 or 0}
  end
  if not limit then
    return take(false)
  end
  if reset > now then
    if remaining > redis.call('ZCARD', slots) then
      return take(false)
    elseif remaining == 0 then
      return {1, reset - now}
    end
    return {2, reset - now}
  end
  if probe then
    return {3, 0}
  end
  return take(true)
end

-- record
local probing = probe and true or false
free()
if ARGV[3] ~= '1' then
  -- No limit stated after the window passed (the probe's answer,
  -- typically): the server states no limit any more.
  if limit and reset <= now then
    redis.call('HDEL', window, 'limit', 'remaining', 'reset')
  end
  return 0
end
local seen_limit, seen_remaining, seen_reset =
  tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
-- An exhausted window that has already ended, as the answer to a probe (or
-- to the first request): the server's clock is behind Redis's.
if seen_remaining == 0 and seen_reset <= now and (probing or not limit) then
  seen_reset = now + skewed_reset
end
if limit then
  if seen_reset + same_window < reset then
    return 0 -- an answer of an older window is old news
  elseif reset <= now then
    -- the current window has passed: the answer opens the next
  elseif seen_limit < limit then
    return 0 -- one endpoint's tighter limit does not hold back the others
  elseif seen_reset > reset + same_window then
    -- a later window
  else
    seen_limit = math.max(seen_limit, limit)
    seen_remaining = math.min(seen_remaining, remaining)
    seen_reset = math.max(seen_reset, reset)
  end
end
redis.call('HSET', window, 'limit', int(seen_limit), 'remaining', int(seen_remaining),
  'reset', int(seen_reset))
redis.call('PEXPIRE', window, int(math.max(seen_reset - now, 0) + idle))
return 0
