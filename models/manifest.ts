/**
 * A model manifest is plain data (models/manifests/*.json): everything needed to fetch, verify,
 * load and feed one embedder. One generic preprocessor applies it (decode -> RGB -> crop step ->
 * resize -> centre crop -> scale -> normalise), so adding a model never means adding code.
 */
export type ResizeKernel = 'bilinear' | 'bicubic' | 'bilinear-antialias';

export interface ModelManifest {
  /** Registry id used on the command line, in collections and in the API, e.g. "mobilenetv2-int8". */
  name: string;
  description: string;
  /** File name inside the model store directory. */
  file: string;
  /** Expected sha256 of the file; null when no checksum is published (recorded on first download). */
  sha256: string | null;
  bytes: number | null;
  input: {
    name: string;
    /** Element type fed to the graph: float32 normalised, or uint8 0-255 when normalisation is in-graph. */
    dtype: 'float32' | 'uint8';
    /** Fixed batch size of the export, or null when the batch dimension is dynamic. */
    batch: number | null;
    height: number;
    width: number;
  };
  preprocess: {
    /** "shorter": scale the shorter side to `size` keeping aspect; "exact": straight to height x width. */
    resize: 'shorter' | 'exact';
    size: number;
    kernel: ResizeKernel;
    /** Centre crop to input height x width after resizing (false when the resize already gives it). */
    centreCrop: boolean;
    /** Multiplier applied to 0-255 values before mean/std (1/255 usually). */
    scale: number;
    mean: [number, number, number];
    std: [number, number, number];
  };
  output: {
    /** Graph output holding the embedding. */
    name: string;
    dim: number;
    /**
     * When set, `name` is an internal tensor of the graph, exposed as an extra output at load time
     * (an ONNX graph edit), optionally dequantized with the named scale / zero-point initialisers.
     */
    expose?: { dequantize?: { scale: string; zeroPoint: string } };
  };
  licence: string;
  /** Download locations, tried in order; empty for models that are only copied in. */
  urls: string[];
  citation?: string;
}
