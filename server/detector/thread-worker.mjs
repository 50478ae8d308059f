// Worker entry for threadedDetector(): loads the TypeScript sources through tsx (as
// server/media/frames-worker.mjs does), so it works under tsx and vitest alike.
import { register } from 'tsx/esm/api';

register();
await import('./thread-worker.ts');
