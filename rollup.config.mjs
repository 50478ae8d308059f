// Builds the video.js plugin into dist/plugin/: ESM, UMD (+ minified), CSS and one .d.ts.
// video.js is external (a peer of the page); hls.js is never imported (passed in by pages).
import { readFileSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const external = (id) => id === 'video.js' || id.startsWith('video.js/');
const globals = { 'video.js': 'videojs' };
const banner = '/*! EndCue video.js plugin | MIT */';

/** Emits plugin/styles.css as endcue.css and a whitespace-stripped endcue.min.css. */
function css() {
  return {
    name: 'endcue-css',
    generateBundle() {
      const source = readFileSync('plugin/styles.css', 'utf8');
      const min = source
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\s+/g, ' ')
        .replace(/\s*([{}:;,>])\s*/g, '$1')
        .replace(/;}/g, '}')
        .trim();
      this.emitFile({ type: 'asset', fileName: 'endcue.css', source });
      this.emitFile({ type: 'asset', fileName: 'endcue.min.css', source: min });
    },
  };
}

const ts = () =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['plugin/**/*.ts'],
    compilerOptions: {
      noEmit: false,
      declaration: false,
      sourceMap: false,
      types: [],
      outDir: 'dist/plugin',
    },
  });

export default [
  {
    input: 'plugin/index.ts',
    external,
    plugins: [nodeResolve({ browser: true }), ts(), css()],
    output: [
      { file: 'dist/plugin/endcue.es.js', format: 'es', banner },
      {
        file: 'dist/plugin/endcue.umd.js',
        format: 'umd',
        name: 'endcue',
        globals,
        exports: 'named',
        banner,
      },
      {
        file: 'dist/plugin/endcue.umd.min.js',
        format: 'umd',
        name: 'endcue',
        globals,
        exports: 'named',
        banner,
        plugins: [terser({ format: { comments: /^!/ } })],
      },
    ],
  },
  {
    input: 'plugin/index.ts',
    external,
    plugins: [dts({ compilerOptions: { types: [] } })],
    output: { file: 'dist/plugin/endcue.d.ts', format: 'es' },
  },
];
