// Types of scripts/build-state.mjs (plain JavaScript so it runs before anything is built).
export declare const ROOT: string;
export declare const DIST: string;
export declare const STAMP: string;
export declare const BUILD_INPUTS: readonly string[];
export interface InputFile {
  path: string;
  mtimeMs: number;
}
export interface BuildStamp {
  startedAtMs: number;
  files: string[];
}
export type BuildState = { fresh: true } | { fresh: false; reason: string };
export declare function listInputs(root?: string): InputFile[];
export declare function readStamp(root?: string): BuildStamp | null;
export declare function buildState(root?: string): BuildState;
