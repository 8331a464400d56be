/**
 * A loaded graph's inputs and outputs as plain data. Apart from the inference worker so that a
 * thread which only talks to the worker never loads ONNX Runtime.
 */
import type ort from 'onnxruntime-node';

export interface GraphValue {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: (number | string)[];
}

/** What a loaded graph says about itself (plain data: crosses the thread boundary). */
export interface GraphInfo {
  inputNames: string[];
  outputNames: string[];
  inputs: GraphValue[];
  outputs: GraphValue[];
}

export function graphInfo(session: ort.InferenceSession): GraphInfo {
  const value = (m: ort.InferenceSession.ValueMetadata): GraphValue =>
    m.isTensor ? { name: m.name, isTensor: true, type: m.type, shape: [...m.shape] } : { name: m.name, isTensor: false };
  return {
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    inputs: session.inputMetadata.map(value),
    outputs: session.outputMetadata.map(value),
  };
}
