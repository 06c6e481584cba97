/** Watch mode: the watcher that drives incremental builds on every save, and the config's dependency scanner. */
export { startWatch, locateConfig, testbenchesToSimulate, type WatchEvent, type WatchOptions, type Watcher } from './watcher.js';
export { scanDependencies, type ConfigDependencies } from './deps.js';
