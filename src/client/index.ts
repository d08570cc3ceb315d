// `credence/client` under Node: everything in universal.ts (which browsers and edge runtimes get), plus key files on
// disk and JSON-LD presentations, which need Node.
export * from './universal.ts';
export { readKeyFile, writeKeyFile } from './key-files.ts';
// Shadows universal.ts's createPresentation (JWT only) with the one that also signs JSON-LD presentations.
export { createPresentation } from './presentation.ts';
