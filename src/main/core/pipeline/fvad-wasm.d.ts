/** @echogarden/fvad-wasm ships no types: its default export builds the Emscripten module. */
declare module '@echogarden/fvad-wasm' {
  const createFvadModule: () => Promise<unknown>;
  export default createFvadModule;
}
