/** The browser-safe SDK: the typed client and the generated operation types and documents. */
export * from './client.js';
export * from './generated/graphql.js';
