/** What every route module gets from createApp(). Web-standard only. */
import type { Context } from 'hono';
import type { EndcueMetrics } from './metrics.js';
import type { RateLimiter } from './middleware/rate-limit.js';
import type { EndcueService } from './service.js';

export interface RouteContext {
  service: EndcueService;
  metrics: EndcueMetrics;
  enqueueLimiter: RateLimiter;
  /** Who is asking, for rate limits (the socket address on Node). */
  clientKey: (c: Context) => string;
  resultMaxAgeS: number;
}
