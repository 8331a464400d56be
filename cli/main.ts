#!/usr/bin/env node
import { Command } from 'commander';
import { registerEngineCommands } from './engine-commands.js';
import { registerModelsCommands } from './models.js';
import { registerServeCommand } from './serve.js';

const program = new Command('imsearch')
  .description('semantic image search: index photos with an ONNX embedder ensemble, search by image, measure MAP@10')
  .option('--data <dir>', 'data directory holding collections (env IMSEARCH_DATA, default ./data)')
  .option('--model-dir <dir>', 'model store directory (env IMSEARCH_MODEL_DIR, default ~/.cache/imsearch/models)')
  .option('--threads <n>', 'ONNX Runtime intra-op threads per model (default: physical cores)')
  .showHelpAfterError();

registerEngineCommands(program);
registerModelsCommands(program);
registerServeCommand(program);

program.parseAsync().catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`imsearch: ${e.code && !e.code.startsWith('commander') ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
  process.exit(1);
});
