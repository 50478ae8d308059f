/** The demo's settings: its own defaults under whatever ENDCUE_* the user set. */

/**
 * Port 8080 (or PORT, as platforms set it), one analysis at a time, quiet logs; and always
 * the embedded engines (SQLite + in-process queue): DATABASE_URL / REDIS_URL are for
 * `endcue serve`, and a BullMQ queue would never run the demo's analyses.
 */
export function demoEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...rest } = env;
  return {
    ...rest,
    ENDCUE_PORT: env.ENDCUE_PORT || env.PORT || '8080',
    ENDCUE_CONCURRENCY: env.ENDCUE_CONCURRENCY || '1',
    ENDCUE_LOG_LEVEL: env.ENDCUE_LOG_LEVEL || 'warn',
  };
}
