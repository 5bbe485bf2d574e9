import { randomBytes } from 'node:crypto';
import { redisUrl, startTestCore, type TestCore, testServiceKey } from '@campus-card/tests/kit';
import { type LoginStandIn, startLoginStandIn } from '../../mock/wechat/login/server.ts';
import { type RunningBff, startBff } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

export const testAppId = 'wx0123456789abcdef';
export const testAppSecret = 'test-app-secret';

/** An answer as a test reads it: status, JSON body and headers. */
export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestWorld {
  core: TestCore;
  login: LoginStandIn;
  bff: RunningBff;
  /** Env the BFF was started with, so a second instance can join the same deployment. */
  env: Record<string, string>;
  /** Starts another BFF instance on the same core, Redis prefix and secrets. */
  startAnotherBff(): Promise<RunningBff>;
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string>; bff?: RunningBff },
  ): Promise<Reply<T>>;
  stop(): Promise<void>;
}

/**
 * A real core on a fresh MariaDB database, the code2session stand-in, and a BFF on port 0 using
 * the machine's Redis under a prefix of its own (so test files never see each other's keys).
 */
export async function startWorld(
  env: Record<string, string> = {},
  options: { dialect?: 'mysql' | 'sqlite'; coreEnv?: Record<string, string> } = {},
): Promise<TestWorld> {
  const dialect = options.dialect ?? 'mysql';
  // With Redis the core publishes card activity, which every BFF instance pushes to live views.
  // coreEnv: the core's own settings, e.g. the identity sync's source databases.
  const core = await startTestCore(dialect, {
    ...(dialect === 'mysql' ? { REDIS_URL: redisUrl } : {}),
    ...options.coreEnv,
  });
  const login = await startLoginStandIn({ apps: { [testAppId]: testAppSecret } });
  const bffEnv: Record<string, string> = {
    BFF_PORT: '0',
    CORE_URL: core.core.url,
    CORE_KEY_ID: testServiceKey.keyId,
    CORE_KEY_SECRET: testServiceKey.secret,
    REDIS_URL: redisUrl,
    // The core's namespace: the BFF hears its card activity and news there.
    REDIS_PREFIX: core.redisPrefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    WECHAT_LOGIN_URL: login.baseUrl,
    WECHAT_APPID: testAppId,
    WECHAT_APP_SECRET: testAppSecret,
    H5_ORIGIN: 'http://127.0.0.1:10086',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  };
  const instances: RunningBff[] = [];
  const launch = async () => {
    const running = await startBff(loadConfig(bffEnv));
    instances.push(running);
    return running;
  };
  const bff = await launch();
  return {
    core,
    login,
    bff,
    env: bffEnv,
    startAnotherBff: launch,
    async request<T>(
      method: string,
      path: string,
      options: { body?: unknown; token?: string; headers?: Record<string, string>; bff?: RunningBff } = {},
    ): Promise<Reply<T>> {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      const response = await fetch(`${(options.bff ?? bff).url}${path}`, { method, headers, body });
      const text = await response.text();
      return {
        status: response.status,
        body: (text ? JSON.parse(text) : {}) as T,
        headers: response.headers,
      };
    },
    async stop() {
      for (const instance of instances) await instance.close();
      await login.close();
      await core.stop();
    },
  };
}

/** The core's settings for a world whose identity sync reads the campus stand-in (run on demand only). */
export function syncingFrom(campus: { academicUrl: string; hrUrl: string }) {
  return {
    coreEnv: {
      ACADEMIC_DATABASE_URL: campus.academicUrl,
      HR_DATABASE_URL: campus.hrUrl,
      SYNC_INTERVAL_MS: '0',
    },
  };
}
