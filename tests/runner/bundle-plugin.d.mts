import type { Plugin } from 'esbuild';

export function sourcesAsTheyAre(clock?: { clockSource: string; clockBundle: string }): Plugin;
