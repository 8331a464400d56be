/**
 * The service as the CLI builds it (cli/engine-commands.ts openService): real models from the
 * shared model directory, embedding and fitting in this process.
 */
import { Embedder } from '../../models/embedder.js';
import { fitInProcess } from '../../service/fit-in-process.js';
import { ImsearchService, type ServiceOptions } from '../../service/service.js';
import { sharedModelsDir } from './paths.js';

export function cliLikeService(dataDir: string, opts: Partial<ServiceOptions> & { modelDir?: string; threads?: number } = {}): ImsearchService {
  const { modelDir = sharedModelsDir, threads, ...rest } = opts;
  return new ImsearchService({
    dataDir,
    embedders: (models, identity) => Embedder.create(models, { modelDir, ...identity, threads }),
    fit: fitInProcess,
    ...rest,
  });
}
