// Worker entry for sampleFramesOffThread(): loads the TypeScript sources through tsx, the
// same way bin/endcue.mjs does, so it works under tsx, vitest and the installed bin alike.
import { register } from 'tsx/esm/api';

register();
await import('./frames-thread.ts');
