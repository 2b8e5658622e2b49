// Replaced at bundle time with package.json's version (scripts/build.mjs); 'dev' when run from source.
declare const __TORBIT_VERSION__: string | undefined;
export const VERSION: string = typeof __TORBIT_VERSION__ === 'string' ? __TORBIT_VERSION__ : 'dev';
