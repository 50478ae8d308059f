/**
 * Admin guard: `Authorization: Bearer <key>`, compared in constant time (hono's
 * timingSafeEqual hashes both sides first, so length does not leak either).
 * No key configured = admin disabled (403); no/malformed header = 401; wrong key = 403.
 */
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import { errorBody } from '../errors.js';

export function adminAuth(adminKey: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!adminKey) {
      return c.json(
        errorBody(
          'admin-disabled',
          'Admin routes are disabled on this server',
          'Start it with ENDCUE_ADMIN_KEY set.',
        ),
        403,
      );
    }
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      c.header('WWW-Authenticate', 'Bearer realm="endcue-admin"');
      return c.json(
        errorBody(
          'unauthorized',
          'This route needs the admin key',
          'Send `Authorization: Bearer <ENDCUE_ADMIN_KEY>`.',
        ),
        401,
      );
    }
    if (!(await timingSafeEqual(match[1], adminKey))) {
      return c.json(
        errorBody('forbidden', 'The admin key is wrong', 'Check ENDCUE_ADMIN_KEY.'),
        403,
      );
    }
    await next();
  };
}
