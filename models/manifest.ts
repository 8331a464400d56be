/**
 * A model manifest is plain data (models/manifests/*.json): everything needed to fetch, verify,
 * load and feed one embedder. One generic preprocessor applies it (decode -> RGB -> crop step ->
 * resize -> centre crop -> scale -> normalise), so adding a model never means adding code.
 */
/**
 * Resampling filter, with PIL / torchvision-on-PIL semantics: the filter support widens with the
 * scale factor when downscaling (antialiased), and is the plain 2-tap (bilinear) or 4-tap
 * Catmull-Rom (bicubic, a = -0.5) interpolator when upscaling, with pixel centres at +0.5.
 * 'bilinear-antialias' names torch's `antialias=True` tensor resize, which is the same filter.
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
  /**
   * Where the file's identity comes from: a checksum published by its authors, one recorded by the
   * model store on the first download (sha256 null here; later downloads must match the record),
   * or one computed when the file was imported from disk. Absent: "published" if sha256 is set.
   */
  sha256Source?: 'published' | 'first-download' | 'imported';
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
    expose?: {
      dequantize?: { scale: string; zeroPoint: string };
      /**
       * The internal tensor, when it differs from `name` (then `name` is the new output's name).
       * Absent: `name` itself is the internal tensor (after dequantize / flatten the graph output
       * under `name` holds the final values; the internal one is renamed).
       */
      tensor?: string;
      /**
       * Locate the tensor by graph structure instead of by name, e.g. the output of the last
       * GlobalAveragePool node: { op: 'GlobalAveragePool', port: 'output' }. `name` is then the
       * new output's name. Resolved at load time by models/graph-edit.ts.
       */
      from?: { op: string; port: 'input' | 'output'; index?: number; domain?: string; occurrence?: 'last' | 'first' };
      /** Flatten to [N, D] (e.g. a pooled [N, D, 1, 1] tensor). */
      flatten?: boolean;
      /** Keep the model's other outputs (default: drop them and the nodes only they feed). */
      keepOutputs?: boolean;
    };
  };
  licence: string;
  /** Where the weights come from, in words (publisher, conversion steps); shown in "how to get it" errors. */
  source?: string;
  /** Download locations, tried in order; empty for models that are only copied in. */
  urls: string[];
  citation?: string;
}
