/** Watch mode: the watcher that drives incremental builds on every save, and the config's dependency scanner. */
export { startWatch, testbenchesToSimulate, type WatchEvent, type WatchOptions, type Watcher } from './watcher.js';
export { scanDependencies, type ConfigDependencies } from './deps.js';
