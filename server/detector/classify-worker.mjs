// Worker entry for the classifier pool: loads the TypeScript sources through tsx (as
// bin/endcue.mjs does), so it works under tsx, vitest and the installed bin alike.
import { register } from 'tsx/esm/api';

register();
await import('./classify-thread.ts');
