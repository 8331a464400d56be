/** Child processes for the peers benchmark: wall time from spawn to exit, peak RSS, bounded. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const preload = new URL('./rss-on-exit.js', import.meta.url).href;

export interface Run {
  ms: number;
  peakRssMiB: number;
  stdout: string;
}

/** Runs `node args...`; rejects on a non-zero exit or after `timeoutMs` (the child is killed). */
export function runNode(args: string[], timeoutMs = 600_000, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const rssFile = path.join(os.tmpdir(), `peers-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', preload, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, PEERS_RSS_FILE: rssFile },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      let peakRssMiB = Number.NaN;
      try {
        peakRssMiB = Number(fs.readFileSync(rssFile, 'utf8')) / 1024;
        fs.rmSync(rssFile);
      } catch {
        // killed before its exit handler ran
      }
      if (code === 0) resolve({ ms, peakRssMiB, stdout });
      else reject(new Error(`node ${args.join(' ')}: exit ${code ?? signal}\n${stderr.slice(-2000)}`));
    });
  });
}

/** A process spinning on one core until killed: the "machine already busy" case. */
export function spinner(): { stop: () => void } {
  const child = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  return { stop: () => void child.kill('SIGKILL') };
}
