// autocannon ships no types; the benchmark reads only requests, latency, non2xx, errors and timeouts.
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>) => Promise<any>;
  export default autocannon;
}
