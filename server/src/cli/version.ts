declare const DTMETRICS_VERSION: string;
/** package.json's version, set by the build (scripts/build.mjs); run from source, a development version. */
export const VERSION = typeof DTMETRICS_VERSION === 'string' ? DTMETRICS_VERSION : '0.0.0-dev';
