import { spawn, type ChildProcess } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/credence.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return Object.assign(child, { output: () => output });
}

export async function waitFor(url: string, timeoutMs = 20_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await fetch(url);
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * The CLI in this process: `main(argv, io)` with its own stdout, stderr, stdin, environment and directory, so a test
 * pays no process start or cold compile. `env` is laid over this process's environment.
 */
export async function runCliInProcess(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string; stdin?: string; stderrIsTTY?: boolean } = {}): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.ts');
  const collector = () => {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    return { stream, text: () => text };
  };
  const stdout = collector();
  const stderr = collector();
  // As a terminal shows it: commands that rewrite a progress line in place do so only on a terminal.
  if (options.stderrIsTTY) Object.assign(stderr.stream, { isTTY: true });
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  let code: number;
  try {
    code = await main(args, {
      stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
      stdout: stdout.stream,
      stderr: stderr.stream,
      env,
      cwd: options.cwd ?? process.cwd(),
    });
  } catch (error) {
    // What bin/credence.js does with a failure: the message on stderr, exit 1.
    stderr.stream.write(`${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
