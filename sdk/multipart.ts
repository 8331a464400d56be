/**
 * The body of a GraphQL multipart request, encoded here instead of by FormData: the same bytes a
 * browser's FormData sends (RFC 7578 with the HTML spec's escaping), built as one Blob. Why: in
 * Node 20, fetch (undici) encodes a FormData body stream by stream, and that cost about 1 ms more
 * per upload request than the same bytes as a Blob on this machine (BENCHMARKS.md, "SDK upload
 * encoding"), a fifth of everything the API adds to an in-process search. Browsers take the Blob
 * and the header alike.
 */

/** A file part: its field name and the Blob (a File's name is sent as the filename). */
export interface FilePart {
  name: string;
  file: Blob;
  filename: string;
}

/** Field names and filenames as the HTML spec escapes them inside the quoted header values. */
const quoted = (s: string) => s.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');

/** A boundary no part can contain by chance: 96 random bits, as browsers do. */
function boundary(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return `----imsearch${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The multipart/form-data body of `fields` (text) then `files`, and its Content-Type. */
export function multipartBody(fields: readonly [string, string][], files: readonly FilePart[], b = boundary()): { body: Blob; contentType: string } {
  const parts: (string | Blob)[] = [];
  for (const [name, value] of fields) {
    parts.push(`--${b}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`);
  }
  for (const f of files) {
    parts.push(`--${b}\r\nContent-Disposition: form-data; name="${quoted(f.name)}"; filename="${quoted(f.filename)}"\r\nContent-Type: ${f.file.type || 'application/octet-stream'}\r\n\r\n`, f.file, '\r\n');
  }
  parts.push(`--${b}--\r\n`);
  return { body: new Blob(parts), contentType: `multipart/form-data; boundary=${b}` };
}
