// The pure trust engine's public surface. Nothing here touches a database, the network or the clock.
export * from './types.ts';
export * from './params.ts';
export * from './evidence.ts';
export * from './propagation.ts';
export * from './pair-graph.ts';
export * from './fairness.ts';
export * from './engine.ts';
export * from './policy.ts';
