import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig as loadBffConfig } from '../../bff/src/config.ts';
import { loadConfig as loadGatewayConfig } from '../../device-gateway/src/config.ts';
import { loadConfig } from './config.ts';
import { parseSentinelUrl, redisOptions, redisUrlFromEnv, redisUrlIssue } from './redis.ts';

test('a redis+sentinel:// URL names the sentinels, the master, the database and the passwords', () => {
  assert.deepEqual(
    parseSentinelUrl('redis+sentinel://:s%40cret@10.0.0.1:26379,[::1]:26380/cc-master/2?sentinelPassword=x'),
    {
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'cc-master',
      db: 2,
      password: 's@cret',
      sentinelPassword: 'x',
    },
  );
  const options = redisOptions('redis+sentinel://127.0.0.1:26381/mymaster', { maxRetriesPerRequest: 1 });
  assert.equal(options.name, 'mymaster');
  assert.equal(options.maxRetriesPerRequest, 1);
  assert.equal(options.failoverDetector, true);
  assert.deepEqual(redisOptions('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 }), {
    maxRetriesPerRequest: 1,
  });
});

test('a half-written Sentinel URL is refused with what is missing', () => {
  assert.equal(redisUrlIssue('redis://127.0.0.1:6379'), undefined);
  assert.equal(redisUrlIssue('redis+sentinel://127.0.0.1:26381/mymaster'), undefined);
  assert.match(redisUrlIssue('redis+sentinel://127.0.0.1:26381') ?? '', /master name/);
  assert.match(redisUrlIssue('redis+sentinel:///mymaster') ?? '', /at least one sentinel/);
  assert.match(redisUrlIssue('redis+sentinel://127.0.0.1/mymaster') ?? '', /host:port/);
  assert.match(redisUrlIssue('http://127.0.0.1:6379') ?? '', /must start with/);
});

test('REDIS_SENTINELS and REDIS_SENTINEL_NAME go together, and not with REDIS_URL', () => {
  assert.equal(redisUrlFromEnv({ REDIS_URL: 'redis://h:1' }), 'redis://h:1');
  assert.equal(redisUrlFromEnv({}), undefined);
  assert.equal(
    redisUrlFromEnv({ REDIS_SENTINELS: 'a:26379,b:26379', REDIS_SENTINEL_NAME: 'mymaster' }),
    'redis+sentinel://a:26379,b:26379/mymaster',
  );
  assert.throws(() => redisUrlFromEnv({ REDIS_SENTINELS: 'a:26379' }), /without REDIS_SENTINEL_NAME/);
  assert.throws(() => redisUrlFromEnv({ REDIS_SENTINEL_NAME: 'mymaster' }), /without REDIS_SENTINELS/);
  assert.throws(
    () => redisUrlFromEnv({ REDIS_URL: 'redis://h:1', REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm' }),
    /both set/,
  );
  assert.throws(() => redisUrlFromEnv({ REDIS_SENTINELS: 'a', REDIS_SENTINEL_NAME: 'm' }), /host:port/);
});

test('every service refuses a half-configured Sentinel setup, in production too', () => {
  const half = { REDIS_SENTINELS: '127.0.0.1:26381' };
  assert.throws(() => loadConfig(half), /Sentinel half configured/);
  assert.throws(() => loadBffConfig(half), /Sentinel half configured/);
  assert.throws(() => loadGatewayConfig(half), /Sentinel half configured/);
  const productionCore = {
    NODE_ENV: 'production',
    CORE_SERVICE_KEYS: `bff:${randomBytes(24).toString('hex')}`,
    PII_KEY: randomBytes(32).toString('hex'),
    PHOTO_KEY: randomBytes(32).toString('hex'),
  };
  assert.throws(
    () => loadConfig({ ...productionCore, REDIS_SENTINEL_NAME: 'mymaster' }),
    /Sentinel half configured/,
  );
  assert.throws(
    () => loadConfig({ ...productionCore, REDIS_URL: 'redis+sentinel://127.0.0.1:26381' }),
    /master name/,
  );
  const core = loadConfig({ REDIS_SENTINELS: '127.0.0.1:26381', REDIS_SENTINEL_NAME: 'mymaster' });
  assert.equal(core.redisUrl, 'redis+sentinel://127.0.0.1:26381/mymaster');
});
