import os from 'node:os';
import path from 'node:path';

/** Where collections and models live: flags win over environment variables, which win over defaults. */
export interface PathsConfig {
  dataDir: string;
  modelDir: string;
}

export function resolvePaths(flags: { data?: string; modelDir?: string }): PathsConfig {
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return {
    dataDir: path.resolve(flags.data ?? process.env.IMSEARCH_DATA ?? 'data'),
    modelDir: path.resolve(flags.modelDir ?? process.env.IMSEARCH_MODEL_DIR ?? path.join(cache, 'imsearch', 'models')),
  };
}

/** "a,b:2" -> [{name:'a',weight:1},{name:'b',weight:2}] */
export function parseModelList(spec: string): { name: string; weight: number }[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [name, w] = s.split(':');
      const weight = w === undefined ? 1 : Number(w);
      if (!(weight > 0)) throw new Error(`bad weight in "${s}": expected model or model:weight with weight > 0`);
      return { name, weight };
    });
}
