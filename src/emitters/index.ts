export * from './report.js';
export { writeArtifacts, writeFileAtomic } from './write.js';
