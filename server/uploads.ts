/**
 * Uploaded files (GraphQL multipart requests, parsed by graphql-upload, which keeps them in memory
 * here instead of a temporary file: patches/graphql-upload+17.1.0.patch): read whole within the
 * byte limit. The multipart parser already truncates a file at the limit and fails its stream;
 * the count here is the second guard.
 */
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { ImsearchError } from '../errors/error-codes.js';
import { toImsearchError } from './errors.js';

export interface ReceivedFile {
  filename: string;
  mimetype: string;
  data: Buffer;
}

const describe = (n: number) => (n >= 1 << 20 ? `${+(n / (1 << 20)).toFixed(1)} MiB` : `${n} bytes`);

export async function readUpload(upload: Promise<FileUpload> | FileUpload, maxBytes: number): Promise<ReceivedFile> {
  let file: FileUpload;
  let stream: NodeJS.ReadableStream;
  try {
    file = await upload;
    stream = file.createReadStream();
  } catch (err) {
    throw toImsearchError(err) ?? err;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        throw new ImsearchError('UPLOAD_TOO_LARGE', `${file.filename || 'the upload'} is above the upload limit of ${describe(maxBytes)}`, { maxBytes });
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof ImsearchError) throw err;
    const api = toImsearchError(err);
    if (api?.code === 'UPLOAD_TOO_LARGE') {
      throw new ImsearchError('UPLOAD_TOO_LARGE', `${file.filename || 'the upload'} is above the upload limit of ${describe(maxBytes)}`, { maxBytes });
    }
    throw api ?? err;
  }
  return { filename: file.filename, mimetype: file.mimetype, data: Buffer.concat(chunks, size) };
}
