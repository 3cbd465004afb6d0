// The engine's WebAssembly interface plus the mesh's measurement switch (bench/experiments/mesh-nd):
// signs by their float values alone, to time the mesh without its certification (not exact).
export * from '../../../assembly/index';
export { meshFloatOnly } from '../../../assembly/mesh-nd';
