/**
 * The e2e project's global setup: one rollup build of the plugin (dist/plugin) per test run,
 * before any browser test starts. Each browser test file used to run rollup again in its own
 * process (buildPlugin): the same build four times, about 6 s each on two cores.
 */
import type { TestProject } from 'vitest/node';
import { buildPlugin } from './plugin-harness.js';

export default function setup(project: TestProject): void {
  buildPlugin();
  project.provide('pluginBuilt', true);
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The global setup built dist/plugin for this run. */
    pluginBuilt: boolean;
  }
}
