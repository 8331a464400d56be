/**
 * Read-only folders for one child process: a read-only bind mount in a private mount namespace
 * (unshare -m), so a test running as root (where chmod does not stop writes) sees EROFS.
 */
import { execFile, execFileSync } from 'node:child_process';

export function canMountReadOnly(): boolean {
  try {
    execFileSync('unshare', ['-m', 'sh', '-c', 'mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp'], { timeout: 5000, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs `argv` with each of `dirs` (none: nothing) mounted read-only, only inside the child's namespace. */
export function runWithReadOnly(dirs: readonly string[], argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const mounts = dirs.map((d) => `mount --bind ${quote(d)} ${quote(d)} && mount -o remount,bind,ro ${quote(d)} && `).join('');
  const script = `${mounts}exec ${argv.map(quote).join(' ')}`;
  return new Promise((resolve) => {
    const child = execFile('unshare', ['-m', 'sh', '-c', script], { timeout: 60_000, env }, (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}
