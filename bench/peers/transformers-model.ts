/**
 * Transformers.js over the SAME local ONNX file as the product (no hub access): a model folder
 * in a temporary directory with config.json, preprocessor_config.json (the model's manifest
 * preprocessing: shorter side 256 bilinear, centre 224, ImageNet mean/std) and onnx/model.onnx
 * symlinked to the shared file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AutoImageProcessor, AutoModel, RawImage, env } from '@huggingface/transformers';

export const MODEL_ID = 'mobilenetv2-int8';

export function writeModelFolder(root: string, onnxFile: string): void {
  const dir = path.join(root, MODEL_ID);
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'mobilenet_v2', architectures: ['MobileNetV2Model'] }));
  fs.writeFileSync(
    path.join(dir, 'preprocessor_config.json'),
    JSON.stringify({
      image_processor_type: 'MobileNetV2ImageProcessor',
      do_resize: true,
      size: { shortest_edge: 256 },
      resample: 2,
      do_center_crop: true,
      crop_size: { height: 224, width: 224 },
      do_rescale: true,
      rescale_factor: 1 / 255,
      do_normalize: true,
      image_mean: [0.485, 0.456, 0.406],
      image_std: [0.229, 0.224, 0.225],
    }),
  );
  const link = path.join(dir, 'onnx', 'model.onnx');
  fs.rmSync(link, { force: true });
  fs.symlinkSync(path.resolve(onnxFile), link);
}

/** Loads the processor and model from `root` (a folder written by writeModelFolder). */
export async function loadTransformers(root: string, threads: number) {
  env.allowRemoteModels = false;
  env.localModelPath = root;
  const processor = await AutoImageProcessor.from_pretrained(MODEL_ID);
  const model = await AutoModel.from_pretrained(MODEL_ID, { dtype: 'fp32', session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 } });
  /** Embeds photos (paths) as one batch: their pooled features, L2-normalised. */
  return async (files: readonly string[]): Promise<Float32Array[]> => {
    const images = await Promise.all(files.map((f) => RawImage.read(f)));
    const { pixel_values } = await processor(images);
    const out = await model({ input: pixel_values });
    const t = out.embedding;
    const dim = t.dims[1] as number;
    const data = t.data as Float32Array;
    return files.map((_, i) => {
      const v = data.slice(i * dim, (i + 1) * dim);
      let s = 0;
      for (const x of v) s += x * x;
      const inv = 1 / Math.sqrt(s || 1);
      for (let j = 0; j < dim; j++) v[j]! *= inv;
      return v;
    });
  };
}
