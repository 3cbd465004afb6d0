/** Messages between the training page (main.ts) and its worker (worker.ts). */
export type Method = 'milkert' | 'kaiming';

export interface TrainSettings {
  target: 'x3' | 'x2' | 'exp' | 'sin';
  depth: number;
  steps: number;
  seed: number;
}

export type ToWorker = { type: 'start'; settings: TrainSettings } | { type: 'stop' } | { type: 'reset'; settings: TrainSettings };

export interface Snapshot {
  type: 'snapshot';
  method: Method;
  /** 'phase1' | 'phase2' | 'kaiming' | 'done'. */
  phase: string;
  /** Steps taken in all phases. */
  step: number;
  totalSteps: number;
  /** Milkert: the step where phase 2 begins (0 for Kaiming). */
  phase1Steps: number;
  /** Training MSE of the last step (NaN before the first). */
  loss: number;
  /** Training losses of the steps since the previous snapshot. */
  losses: number[];
  /** The network's graph, exactly: the ends of every activation region, sorted, with their values. */
  xs: number[];
  ys: number[];
  /** Breakpoints between linear regions (exact count engine). */
  breakpoints: number[];
  linearRegions: number;
  testMse: number;
  /** Milkert: exact linear regions at the end of phase 1 (undefined before). Kaiming: at initialisation. */
  milestoneRegions?: number;
}

export type FromWorker = Snapshot | { type: 'state'; state: 'running' | 'stopped' | 'done' | 'idle' } | { type: 'error'; message: string };
