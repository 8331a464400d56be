/**
 * The body of a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec)
 * as one Blob: the `operations` and `map` fields, then each file. Encoded here rather than left
 * to fetch's FormData so that the client can choose how the bytes go out: a small body as one
 * buffer (fetch streams FormData and Blob bodies, which costs a search request about 0.25 ms,
 * BENCHMARKS.md session 12), and through Node's http module, which has no FormData. The files stay
 * Blobs, so a file on disk (`fileFromPath`) is read only when the body is.
 */

export interface MultipartBody {
  body: Blob;
  /** The Content-Type header, with the boundary. */
  contentType: string;
}

export interface MultipartFile {
  /** The form field name (the file's key in `map`). */
  field: string;
  file: Blob;
  filename: string;
}

/**
 * A name in a Content-Disposition header with `"`, CR and LF percent-encoded: for file names
 * exactly what FormData sends (HTML's multipart/form-data encoding). FormData also turns a bare
 * CR or LF in a field name into CRLF first; the client's field names never hold one.
 */
export function escapeDispositionName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A boundary that no part's bytes contain in practice: 32 random hex digits. */
function randomBoundary(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `----imsearch-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function multipartBody(fields: readonly [name: string, value: string][], files: readonly MultipartFile[], boundary = randomBoundary()): MultipartBody {
  const parts: (string | Blob)[] = [];
  for (const [name, value] of fields) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeDispositionName(name)}"\r\n\r\n${value}\r\n`);
  }
  for (const { field, file, filename } of files) {
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${escapeDispositionName(field)}"; filename="${escapeDispositionName(filename)}"\r\nContent-Type: ${file.type || 'application/octet-stream'}\r\n\r\n`,
      file,
      '\r\n',
    );
  }
  parts.push(`--${boundary}--\r\n`);
  return { body: new Blob(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
