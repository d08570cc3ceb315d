// A seeded marketplace with abusive clients, for measuring how far dispute abuse moves trust scores.
//
// Populations (labels in `Label.class`):
// - honest: established workers hired by ordinary clients, a few percent of jobs disputed, refunded or rejected;
//   a tenth of them also hire other workers (role `client`) and dispute at the same ordinary rates.
// - newcomer: honest workers who started 3-45 days ago.
// - victim: honest workers (the same generator as honest) who are also hired and mostly disputed by an abuser.
// - abusive_client: agents with a good worker record of their own who hire honest workers through small
//   escrow-verified jobs and dispute, refund or reject most of them. Variants: `lone` (about five victims, one
//   platform), `competitor` (two or three targets, many jobs each), `spread` (several victims on several platforms),
//   `sybil_ring` (fresh client-only DIDs, each disputing a few jobs, together aimed at a handful of victims).
// - bad_worker: the control group, genuinely poor workers disputed by many independent ordinary clients.
// - ordinary_client: client-only DIDs; scored when a platform verified them.
//
// Every receipt of an abusive hire is marked `attack`; `clean` is the stream without them (the counterfactual).
// Same options, same output: one seeded generator, no clock, no Math.random.

export const DAY_MS = 86_400_000;

export type AgentClass = 'honest' | 'newcomer' | 'victim' | 'abusive_client' | 'bad_worker' | 'ordinary_client';
export type AbuseVariant = 'lone' | 'competitor' | 'spread' | 'sybil_ring';
export const ABUSE_VARIANTS: readonly AbuseVariant[] = ['lone', 'competitor', 'spread', 'sybil_ring'];

export interface ImportLine {
  receipt_id: string;
  subject_did: string;
  counterparty_did: string;
  platform_did: string;
  action_category: string;
  action_type: string;
  value_usd: number;
  outcome: 'accepted' | 'rejected' | 'disputed';
  timestamp: string;
  escrow_verified: boolean;
  escrow_tx?: string;
}

export interface Label {
  did: string;
  class: AgentClass;
  /** Abuse variant: for an abusive client, its kind; for a victim, the kind of abuser that hit it. */
  variant?: AbuseVariant;
  /** The abuser (or sybil ring) a victim or abusive client belongs to. */
  group?: string;
  /** `client` for honest agents that also hire; `worker` otherwise. */
  role?: 'worker' | 'client';
}

export interface MarketOptions {
  seed: number;
  /** Agents that work (honest, newcomers, victims, bad workers, abusive clients); client-only DIDs come on top. */
  agents: number;
  platforms: number;
  /** ISO time every receipt precedes; the moment to score at. */
  now: string;
}

export interface Market {
  receipts: ImportLine[];
  /** `receipts` minus every receipt of an abusive hire. */
  clean: ImportLine[];
  labels: Label[];
  meta: {
    generator: string;
    seed: number;
    agents: number;
    platforms: string[];
    now: string;
    receipts: number;
    attackReceipts: number;
    counts: Record<string, number>;
  };
}

export const GENERATOR_VERSION = 'credence-abusive-market/1';

// ---------------------------------------------------------------- seeded randomness (xoshiro128**)

export interface Rng {
  next(): number;
  uniform(lo: number, hi: number): number;
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  lognormal(median: number, sigma: number): number;
  poisson(lambda: number): number;
  shuffle<T>(items: T[]): T[];
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  // Four state words from the seed through murmur3's finaliser; a zero word falls back to its constant.
  const init = [0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x6a09e667].map((k, i) => fmix32((seed >>> 0) ^ k ^ Math.imul(i + 1, 0x27d4eb2f)) || k);
  let [s0, s1, s2, s3] = init as [number, number, number, number];
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const nextU32 = () => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    return result;
  };
  for (let i = 0; i < 20; i++) nextU32();
  const next = () => nextU32() / 4_294_967_296;
  let spare: number | null = null;
  const normal = () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    lognormal: (median, sigma) => median * Math.exp(sigma * normal()),
    poisson(lambda) {
      if (lambda <= 0) return 0;
      if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = 1;
      do {
        k++;
        p *= next();
      } while (p > limit);
      return k - 1;
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
  return rng;
}

// ---------------------------------------------------------------- the marketplace

type Outcome = 'accepted' | 'disputed' | 'refunded' | 'rejected_work';

interface Worker {
  did: string;
  platform: string;
  startDays: number;
  /** Per-job probabilities of each negative outcome with an ordinary client: the worker's own quality. */
  pDispute: number;
  pRefund: number;
  pRejectWork: number;
  pEscrow: number;
  valueMedian: number;
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function generateMarket(options: MarketOptions): Market {
  const seed = options.seed >>> 0;
  const agents = Math.max(100, Math.floor(options.agents));
  const nowMs = Date.parse(options.now);
  if (!Number.isFinite(nowMs)) throw new Error(`bad now: ${options.now}`);
  const rng = createRng(seed);
  const platforms = Array.from({ length: Math.max(1, Math.floor(options.platforms)) }, (_, i) => `did:web:bazaar${i + 1}.example`);

  const used = new Set<string>();
  const newDid = () => {
    for (;;) {
      let did = 'did:key:z6Mk';
      for (let i = 0; i < 16; i++) did += B58[Math.floor(rng.next() * 58)];
      if (!used.has(did)) {
        used.add(did);
        return did;
      }
    }
  };

  interface Draft {
    t: number;
    line: Omit<ImportLine, 'receipt_id' | 'timestamp'>;
    attack: boolean;
  }
  const drafts: Draft[] = [];
  // Whole seconds, strictly before `now`.
  const at = (daysAgo: number) => Math.min(nowMs - 1000, Math.round((nowMs - daysAgo * DAY_MS) / 1000) * 1000);
  const emit = (
    t: number,
    subject: string,
    counterparty: string,
    platform: string,
    category: string,
    type: string,
    outcome: ImportLine['outcome'],
    valueUsd = 0,
    escrow = false,
    attack = false,
  ) => {
    drafts.push({
      t: Math.min(nowMs - 1000, Math.round(t / 1000) * 1000),
      attack,
      line: {
        subject_did: subject,
        counterparty_did: counterparty,
        platform_did: platform,
        action_category: category,
        action_type: type,
        value_usd: Math.round(valueUsd * 100) / 100,
        outcome,
        escrow_verified: escrow,
      },
    });
  };

  /** One hire: an application before it, then the settlement (and a completion and maybe an endorsement if accepted). */
  const job = (o: { worker: string; client: string; platform: string; t: number; value: number; escrow: boolean; outcome: Outcome; attack: boolean; endorseP?: number }) => {
    const { worker, client, platform, t, value, escrow, outcome, attack } = o;
    if (rng.chance(0.6)) emit(t - rng.uniform(1, 6) * DAY_MS, worker, platform, platform, 'productivity.application', 'application_submitted', 'accepted', 0, false, attack);
    if (outcome === 'accepted') {
      emit(t - rng.uniform(0.05, 1.5) * DAY_MS, worker, client, platform, 'productivity.completion', 'task_completed', 'accepted', 0, false, attack);
      emit(t, worker, client, platform, 'economic.transaction', escrow ? 'escrow_release' : 'payment_declared', 'accepted', value, escrow, attack);
      if (rng.chance(o.endorseP ?? 0.12)) emit(t + rng.uniform(0.2, 4) * DAY_MS, worker, client, platform, 'social.endorsement', 'endorsement_given', 'accepted', 0, false, attack);
    } else if (outcome === 'disputed') {
      emit(t, worker, client, platform, 'economic.dispute', escrow ? 'escrow_dispute' : 'dispute_declared', 'disputed', value, escrow, attack);
    } else if (outcome === 'refunded') {
      emit(t, worker, client, platform, 'economic.refund', escrow ? 'escrow_refund' : 'refund_declared', 'rejected', value, escrow, attack);
    } else {
      // Work turned down at delivery, then the escrow refunded.
      emit(t - rng.uniform(0.05, 1) * DAY_MS, worker, client, platform, 'productivity.completion', 'task_completed', 'rejected', 0, false, attack);
      emit(t, worker, client, platform, 'economic.refund', escrow ? 'escrow_refund' : 'refund_declared', 'rejected', value, escrow, attack);
    }
  };

  const ordinaryOutcome = (w: Worker): Outcome => {
    const u = rng.next();
    if (u < w.pDispute) return 'disputed';
    if (u < w.pDispute + w.pRefund) return 'refunded';
    if (u < w.pDispute + w.pRefund + w.pRejectWork) return 'rejected_work';
    return 'accepted';
  };

  const profile = (did: string, platform: string, startDays: number, verifyP: number, postsLambda: number) => {
    if (rng.chance(verifyP)) emit(at(Math.max(0.5, startDays - rng.uniform(0, 4))), did, platform, platform, 'identity.verification', 'verification_completed', 'accepted');
    const posts = rng.poisson(postsLambda);
    for (let i = 0; i < posts; i++) emit(at(rng.uniform(0, startDays)), did, platform, platform, 'social.post', 'post_created', 'accepted');
  };

  const labels: Label[] = [];
  const counts: Record<string, number> = {};
  const label = (l: Label) => {
    labels.push(l);
    const key = l.variant ? `${l.class}:${l.variant}` : l.class;
    counts[key] = (counts[key] ?? 0) + 1;
  };

  // Ordinary clients: a pool with heavy-tailed activity, 40% verified by their platform.
  const clientPool = Array.from({ length: Math.round(agents * 1.5) }, () => ({ did: newDid(), platform: rng.pick(platforms), weight: rng.lognormal(1, 1.1) }));
  for (const c of clientPool) {
    label({ did: c.did, class: 'ordinary_client' });
    if (rng.chance(0.4)) emit(at(rng.uniform(30, 720)), c.did, c.platform, c.platform, 'identity.verification', 'verification_completed', 'accepted');
  }
  const cumulative: number[] = [];
  let totalWeight = 0;
  for (const c of clientPool) cumulative.push((totalWeight += c.weight));
  const pickClient = () => {
    const x = rng.next() * totalWeight;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return clientPool[lo]!.did;
  };

  const newWorker = (startDays: number, quality: 'honest' | 'bad'): Worker => ({
    did: newDid(),
    platform: rng.pick(platforms),
    startDays,
    pDispute: quality === 'honest' ? rng.uniform(0, 0.04) : rng.uniform(0.2, 0.4),
    pRefund: quality === 'honest' ? rng.uniform(0, 0.03) : rng.uniform(0.08, 0.15),
    pRejectWork: quality === 'honest' ? rng.uniform(0, 0.02) : rng.uniform(0.03, 0.08),
    pEscrow: rng.uniform(0.6, 0.95),
    valueMedian: rng.lognormal(120, 0.5),
  });

  /** A worker's history with ordinary clients from `startDays` ago until now. */
  const workHistory = (w: Worker, ratePerMonth: number, endorseP = 0.12) => {
    const n = rng.poisson((ratePerMonth * w.startDays) / 30);
    const past: string[] = [];
    for (let j = 0; j < n; j++) {
      const client = past.length > 0 && rng.chance(0.3) ? rng.pick(past) : pickClient();
      past.push(client);
      job({
        worker: w.did,
        client,
        platform: rng.chance(0.7) ? w.platform : rng.pick(platforms),
        t: at(rng.uniform(0, w.startDays)),
        value: Math.max(5, rng.lognormal(w.valueMedian, 0.9)),
        escrow: rng.chance(w.pEscrow),
        outcome: ordinaryOutcome(w),
        attack: false,
        endorseP,
      });
    }
  };

  // ---- plan
  const nNewcomers = Math.round(agents * 0.08);
  const nBad = Math.round(agents * 0.08);
  const nLone = Math.max(2, Math.round(agents * 0.02));
  const nCompetitor = Math.max(1, Math.round(agents * 0.01));
  const nSpread = Math.max(1, Math.round(agents * 0.01));
  const nRings = Math.max(1, Math.round(agents / 250));
  const nHonest = agents - nNewcomers - nBad - nLone - nCompetitor - nSpread;

  // ---- honest workers (some become victims below; victims keep the same ordinary history)
  const honest: Worker[] = [];
  for (let i = 0; i < nHonest; i++) {
    const w = newWorker(rng.uniform(60, 720), 'honest');
    profile(w.did, w.platform, w.startDays, 0.6, 2);
    workHistory(w, rng.lognormal(1.3, 0.6));
    honest.push(w);
  }
  const newcomers: Worker[] = [];
  for (let i = 0; i < nNewcomers; i++) {
    const w = newWorker(rng.uniform(3, 45), 'honest');
    profile(w.did, w.platform, w.startDays, 0.5, 1);
    emit(at(w.startDays), w.did, w.platform, w.platform, 'productivity.application', 'application_submitted', 'accepted');
    workHistory(w, rng.lognormal(2.5, 0.5));
    newcomers.push(w);
    label({ did: w.did, class: 'newcomer' });
  }
  const bad: Worker[] = [];
  for (let i = 0; i < nBad; i++) {
    const w = newWorker(rng.uniform(60, 600), 'bad');
    profile(w.did, w.platform, w.startDays, 0.4, 2);
    workHistory(w, rng.lognormal(1.5, 0.5), 0.04);
    bad.push(w);
    label({ did: w.did, class: 'bad_worker' });
  }

  // ---- victims: established honest workers, each hit by exactly one abuser
  const victimPool = rng.shuffle(honest.filter((w) => w.startDays >= 90));
  const victimOf = new Map<string, { variant: AbuseVariant; group: string }>();
  const takeVictims = (n: number, variant: AbuseVariant, group: string): Worker[] => {
    const taken: Worker[] = [];
    while (taken.length < n && victimPool.length > 0) {
      const w = victimPool.pop()!;
      victimOf.set(w.did, { variant, group });
      taken.push(w);
    }
    return taken;
  };

  /** An abusive hire: small escrow-verified jobs, most of them disputed, refunded or rejected at delivery. */
  const abuseJobs = (o: { abuser: string; victim: Worker; jobs: number; platform: string; windowDays: number; pNegative: number }) => {
    for (let j = 0; j < o.jobs; j++) {
      const u = rng.next();
      const outcome: Outcome = !rng.chance(o.pNegative) ? 'accepted' : u < 0.6 ? 'disputed' : u < 0.85 ? 'refunded' : 'rejected_work';
      job({ worker: o.victim.did, client: o.abuser, platform: o.platform, t: at(rng.uniform(1, o.windowDays)), value: rng.uniform(8, 40), escrow: true, outcome, attack: true, endorseP: 0 });
    }
  };

  const abuserAgent = (variant: Exclude<AbuseVariant, 'sybil_ring'>, index: number) => {
    // Its own worker record is long, steady and clean: as a worker it looks good.
    const w = newWorker(rng.uniform(200, 720), 'honest');
    profile(w.did, w.platform, w.startDays, 0.7, 2);
    workHistory(w, rng.lognormal(2.5, 0.4));
    const group = `${variant}${index}`;
    label({ did: w.did, class: 'abusive_client', variant, group, role: 'client' });
    abusers.push(w);
    const windowDays = rng.uniform(30, 120);
    const pNegative = rng.uniform(0.7, 0.95);
    if (variant === 'lone') {
      for (const victim of takeVictims(rng.int(4, 6), variant, group)) abuseJobs({ abuser: w.did, victim, jobs: rng.int(1, 3), platform: w.platform, windowDays, pNegative });
    } else if (variant === 'competitor') {
      for (const victim of takeVictims(rng.int(2, 3), variant, group)) abuseJobs({ abuser: w.did, victim, jobs: rng.int(4, 8), platform: rng.chance(0.5) ? w.platform : victim.platform, windowDays, pNegative });
    } else {
      const own = rng.shuffle([...platforms]).slice(0, Math.min(platforms.length, rng.int(3, 4)));
      const victims = takeVictims(rng.int(6, 9), variant, group);
      victims.forEach((victim, k) => abuseJobs({ abuser: w.did, victim, jobs: rng.int(1, 3), platform: own[k % own.length]!, windowDays, pNegative }));
    }
  };
  const abusers: Worker[] = [];
  for (let i = 0; i < nLone; i++) abuserAgent('lone', i);
  for (let i = 0; i < nCompetitor; i++) abuserAgent('competitor', i);
  for (let i = 0; i < nSpread; i++) abuserAgent('spread', i);

  // Sybil rings: fresh client-only DIDs, each filing a few disputes, together aimed at a handful of victims.
  for (let r = 0; r < nRings; r++) {
    const group = `sybil_ring${r}`;
    const victims = takeVictims(rng.int(4, 6), 'sybil_ring', group);
    const platform = rng.pick(platforms);
    const members = rng.int(8, 14);
    for (let m = 0; m < members && victims.length > 0; m++) {
      const did = newDid();
      label({ did, class: 'abusive_client', variant: 'sybil_ring', group, role: 'client' });
      const createdDays = rng.uniform(5, 40);
      const jobs = rng.int(2, 3);
      for (let j = 0; j < jobs; j++) abuseJobs({ abuser: did, victim: rng.pick(victims), jobs: 1, platform, windowDays: createdDays, pNegative: 0.75 });
    }
  }

  // Abusive clients also hire a few workers in the ordinary way (never victims, so victims' abuse is all marked),
  // and those jobs go as the hired worker's quality says.
  const nonVictims = honest.filter((w) => !victimOf.has(w.did));
  for (const a of abusers) {
    const ordinary = rng.int(0, 5);
    for (let j = 0; j < ordinary; j++) {
      const hired = rng.pick(nonVictims);
      job({ worker: hired.did, client: a.did, platform: a.platform, t: at(rng.uniform(1, a.startDays)), value: Math.max(5, rng.lognormal(hired.valueMedian, 0.9)), escrow: rng.chance(hired.pEscrow), outcome: ordinaryOutcome(hired), attack: false });
    }
  }

  // Honest agents that also hire other workers (never victims, so their own scores stay a clean comparison).
  const hirers = new Set<string>();
  for (const w of honest) {
    if (victimOf.has(w.did) || !rng.chance(0.1)) continue;
    hirers.add(w.did);
    const hires = rng.int(3, 12);
    for (let j = 0; j < hires; j++) {
      // Ordinary hiring reaches bad workers too; their disputes there are deserved.
      const hired = rng.chance(0.1) ? rng.pick(bad) : rng.pick(honest);
      if (hired.did === w.did) continue;
      job({ worker: hired.did, client: w.did, platform: rng.chance(0.7) ? w.platform : rng.pick(platforms), t: at(rng.uniform(1, w.startDays)), value: Math.max(5, rng.lognormal(hired.valueMedian, 0.9)), escrow: rng.chance(hired.pEscrow), outcome: ordinaryOutcome(hired), attack: false });
    }
  }
  for (const w of honest) {
    const victim = victimOf.get(w.did);
    if (victim) label({ did: w.did, class: 'victim', variant: victim.variant, group: victim.group, role: 'worker' });
    else label({ did: w.did, class: 'honest', role: hirers.has(w.did) ? 'client' : 'worker' });
  }

  // ---- stream: by time, then by generation order (stable), ids by position
  const order = drafts.map((d, i) => [d.t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const receipts: ImportLine[] = [];
  const clean: ImportLine[] = [];
  let attackReceipts = 0;
  for (const [, i] of order) {
    const d = drafts[i]!;
    const id = `ab${seed}r${receipts.length}`;
    const { escrow_verified, ...fields } = d.line;
    const line: ImportLine = { receipt_id: id, ...fields, timestamp: new Date(d.t).toISOString().replace('.000Z', 'Z'), escrow_verified };
    if (line.escrow_verified) line.escrow_tx = `esc_${id}`;
    receipts.push(line);
    if (d.attack) attackReceipts++;
    else clean.push(line);
  }
  labels.sort((a, b) => (a.did < b.did ? -1 : a.did > b.did ? 1 : 0));
  return {
    receipts,
    clean,
    labels,
    meta: { generator: GENERATOR_VERSION, seed, agents, platforms, now: new Date(nowMs).toISOString(), receipts: receipts.length, attackReceipts, counts },
  };
}
