import { type ChildProcess, spawn } from 'node:child_process';
import { cliBin } from './paths.js';

export interface ServeProcess {
  child: ChildProcess;
  /** The URL the command prints once listening (rejects when it exits first). */
  url: Promise<string>;
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
}


/** `imsearch --data D --model-dir M serve ARGS` as a child process, with extra environment variables. */
export function spawnServe(dirs: { dataDir: string; modelDir: string }, args: string[], env: Record<string, string> = {}): ServeProcess {
  const child = spawn(process.execPath, [cliBin, '--data', dirs.dataDir, '--model-dir', dirs.modelDir, 'serve', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0].trim());
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { child, url, exited, output: () => ({ stdout, stderr }) };
}
