// Types of start-options.mjs, for the tests that import it (test/scripts/).
export declare const DEFAULT_PORT: number;
export declare const SCRATCH_FOLDER: string;
export declare const START_USAGE: string;
export declare function startFolder(
  args: string[],
  env: NodeJS.ProcessEnv,
  root: string,
): 'help' | { folder: string; copyFrom: string | null };
export declare function copyExamples(from: string, to: string): void;
export declare function portIsFree(port: number): Promise<boolean>;
export declare function choosePort(
  env: NodeJS.ProcessEnv,
  freePort: () => Promise<number>,
  defaultPort?: number,
): Promise<{ port: number; note: string | null }>;
