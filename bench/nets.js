// Seeded networks for the benchmarks: He-normal weights (std sqrt(2 / fan_in)), small gaussian
// biases (std 0.1, so the lines do not all pass through the origin), ReLU hidden layers, a linear
// output layer.

/** mulberry32: a small, fast, seeded PRNG. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(r) {
  let u = 0;
  while (u === 0) u = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** widths = [n0, n1, ..., nL]: He-normal ReLU network with a linear last layer. */
export function heNormal(widths, seed) {
  const r = rng(seed);
  const layers = [];
  for (let i = 1; i < widths.length; i++) {
    const fanIn = widths[i - 1];
    const sd = Math.sqrt(2 / fanIn);
    layers.push({
      weights: Array.from({ length: widths[i] }, () => Array.from({ length: fanIn }, () => gaussian(r) * sd)),
      bias: Array.from({ length: widths[i] }, () => gaussian(r) * 0.1),
      activation: i === widths.length - 1 ? 'linear' : 'relu',
    });
  }
  return { inputDim: widths[0], layers };
}

/** A plane through a random "data point" with two random gaussian directions. */
export function randomPlane(n0, seed, halfWidth) {
  const r = rng(seed);
  const vec = () => Array.from({ length: n0 }, () => gaussian(r));
  return { origin: vec(), directions: [vec(), vec()], bounds: [[-halfWidth, halfWidth], [-halfWidth, halfWidth]] };
}

/** widths = [n0, ..., nL]: ReLU network with integer weights and biases in [-lo, lo] (units that cancel exactly, linear regions that merge). */
export function integerNet(widths, seed, lo = 2) {
  const r = rng(seed);
  const int = () => Math.floor(r() * (2 * lo + 1)) - lo;
  const layers = [];
  for (let i = 1; i < widths.length; i++) {
    layers.push({
      weights: Array.from({ length: widths[i] }, () => Array.from({ length: widths[i - 1] }, int)),
      bias: Array.from({ length: widths[i] }, int),
      activation: i === widths.length - 1 ? 'linear' : 'relu',
    });
  }
  return { inputDim: widths[0], layers };
}
