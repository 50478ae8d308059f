// Worker entry for the PP-OCR thread: loads the TypeScript sources through tsx (as
// ../thread-worker.mjs does), so it works under tsx and vitest alike.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
