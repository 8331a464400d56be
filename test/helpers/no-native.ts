/**
 * Loaded with `node --import` for the unit tier (npm run test:unit): every native addon
 * (faiss-node, annoy, onnxruntime-node, sharp, better-sqlite3, ...) loads through process.dlopen,
 * so a unit test that reaches one fails at once, naming the file.
 */
process.dlopen = (_module: object, filename: string) => {
  throw new Error(`the unit tier must not load native addons, but something loaded ${filename} (move the test to test/engine/, or import a module that does not reach the addon)`);
};
export {};
