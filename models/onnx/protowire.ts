/**
 * Minimal protobuf wire-format walker. The graph edit rewrites an ONNX ModelProto field by field
 * instead of decoding and re-encoding the whole message, so that fields unknown to onnx-proto's
 * schema (ONNX 1.10) survive untouched and the weights are never copied into JS objects.
 */
import { ImsearchError } from '../../errors/error-codes.js';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export interface WireField {
  no: number;
  wireType: number;
  /** Offset of the tag (start of the whole field). */
  start: number;
  /** Offset after the field. */
  end: number;
  /** Payload range for length-delimited fields (wireType 2); for others, the value bytes. */
  valueStart: number;
  valueEnd: number;
}

/** Bytes that are not protobuf: for an ONNX file, a model that cannot match any manifest. */
function wireError(message: string): ImsearchError {
  return new ImsearchError('MODEL_MISMATCH', `protobuf: ${message}`);
}

function readVarint(buf: Uint8Array, pos: number, end: number): [value: number, next: number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw wireError('truncated varint');
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [result, pos];
    mul *= 128;
  }
  throw wireError('varint too long');
}

/** The top-level fields of the message in buf[start, end), in order. */
export function readFields(buf: Uint8Array, start = 0, end = buf.length): WireField[] {
  const fields: WireField[] = [];
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [tag, afterTag] = readVarint(buf, pos, end);
    const no = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (no === 0) throw wireError(`invalid field number 0 at byte ${fieldStart}`);
    let valueStart = afterTag;
    let valueEnd: number;
    switch (wireType) {
      case WIRE_VARINT:
        valueEnd = readVarint(buf, afterTag, end)[1];
        break;
      case WIRE_I64:
        valueEnd = afterTag + 8;
        break;
      case WIRE_LEN: {
        const [len, afterLen] = readVarint(buf, afterTag, end);
        valueStart = afterLen;
        valueEnd = afterLen + len;
        break;
      }
      case WIRE_I32:
        valueEnd = afterTag + 4;
        break;
      default:
        throw wireError(`unsupported wire type ${wireType} at byte ${fieldStart}`);
    }
    if (valueEnd > end) throw wireError(`field ${no} runs past the end of its message`);
    fields.push({ no, wireType, start: fieldStart, end: valueEnd, valueStart, valueEnd });
    pos = valueEnd;
  }
  return fields;
}

export function varintValue(buf: Uint8Array, f: WireField): number {
  return readVarint(buf, f.valueStart, f.valueEnd)[0];
}

export function encodeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Tag + length + payload of a length-delimited field. */
export function lenField(no: number, payload: Uint8Array | Uint8Array[]): Uint8Array[] {
  const parts = Array.isArray(payload) ? payload : [payload];
  const len = parts.reduce((n, p) => n + p.length, 0);
  return [encodeVarint(no * 8 + WIRE_LEN), encodeVarint(len), ...parts];
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

export function fieldString(buf: Uint8Array, f: WireField): string {
  return utf8.decode(buf.subarray(f.valueStart, f.valueEnd));
}

export function stringBytes(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
