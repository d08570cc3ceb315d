// One SQL statement per trust read, for one DID or a batch of 100: the current versions of the requested DIDs,
// the global epochs, the aggregates of exactly the DIDs whose cached copy is stale (or not cached), and the
// standing of every platform those reports weigh. Rows come back as JSON arrays in a fixed column order, so a
// cold read costs one round trip and a warm one moves a few hundred bytes whatever the agent's history.
import { CompiledQuery, sql, type RawBuilder } from 'kysely';
import { preparedStatementMarker } from '../../db/prepared.ts';
import type { Db } from '../../db/database.ts';
import {
  AGENT_PLATFORM_SUM_COLUMNS,
  CLIENT_SUM_COLUMNS,
  HOUR_SUM_COLUMNS,
  PAIR_ROW_FIELDS,
  PLATFORM_SUM_COLUMNS,
  orderAggregates,
  rowMaker,
  type AgentAggregates,
  type AgentPlatformRow,
  type ClientRow,
  type HourBucketRow,
  type PairRow,
  type PlatformRow,
} from '../engine/evidence.ts';
import type { NodeCredibility, PlatformStanding, PlatformStatus } from '../engine/propagation.ts';

/**
 * One string object per platform DID across loads. Every warm read checks each of an agent's platform DIDs against
 * the held standings; with a copy per load, each check read a string of its own (and its hash) from memory, which
 * was most of the cost of finding a batch's agents in memory. A marketplace has few platforms; the pool starts over
 * past its cap rather than grow with junk.
 */
const PLATFORM_DID_POOL_LIMIT = 10_000;
const platformDidPool = new Map<string, string>();
function sharedPlatformDid(did: string): string {
  const shared = platformDidPool.get(did);
  if (shared !== undefined) return shared;
  if (platformDidPool.size >= PLATFORM_DID_POOL_LIMIT) platformDidPool.clear();
  platformDidPool.set(did, did);
  return did;
}

const PAIR_COLUMNS = PAIR_ROW_FIELDS;
const HOUR_COLUMNS = ['subjectDid', 'hour', ...HOUR_SUM_COLUMNS] as const;
const CLIENT_COLUMNS = ['clientDid', ...CLIENT_SUM_COLUMNS] as const;
const AGENT_PLATFORM_COLUMNS = ['did', 'platformDid', 'role', ...AGENT_PLATFORM_SUM_COLUMNS] as const;
const PLATFORM_COLUMNS = ['platformDid', ...PLATFORM_SUM_COLUMNS] as const;
const CREDIBILITY_COLUMNS = ['credibility', 'density', 'breadth', 'activity', 'seed', 'anchor', 'fairness', 'raterNegatives', 'raterExpected', 'raterAgents'] as const;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `json_build_array(alias.col, …)` over one or more (alias, columns) groups, in the given order. */
function jsonArray(...groups: Array<[alias: string, columns: readonly string[]]>): RawBuilder<unknown> {
  const refs = groups.flatMap(([alias, columns]) => columns.map((c) => sql.ref(`${alias}.${snake(c)}`)));
  return sql`json_build_array(${sql.join(refs)})`;
}

// Rows are held in memory and read by the engine on every report: each kind gets one fixed shape (see `rowMaker`).
const pairRow = rowMaker<PairRow>(PAIR_COLUMNS);
const hourRow = rowMaker<HourBucketRow>(HOUR_COLUMNS);
const clientRow = rowMaker<ClientRow>(CLIENT_COLUMNS);
const agentPlatformRow = rowMaker<AgentPlatformRow>(AGENT_PLATFORM_COLUMNS);
const platformRow = rowMaker<PlatformRow>(PLATFORM_COLUMNS);
const credibilityRow = rowMaker<NodeCredibility>(CREDIBILITY_COLUMNS);

/**
 * One frozen object per counterparty's propagation row across loads, while its values stay the same. Each held agent
 * had its own copy of every counterparty's row, so the rows a report reads were scattered over the whole population's
 * copies (about 500,000 at 10,000 agents with 50 counterparties each, against 10,000 distinct rows); shared, they stay
 * in the processor's cache, and a report computed about a fifth faster in a microbenchmark of the engine over such a
 * population. A row is shared only when every column equals the one held (a new propagation run replaces it), and the
 * pool starts over past its cap rather than grow without bound.
 */
const CREDIBILITY_POOL_LIMIT = 100_000;
const credibilityPool = new Map<string, NodeCredibility>();
function sharedCredibility(did: string, values: readonly unknown[], offset: number): NodeCredibility {
  const held = credibilityPool.get(did);
  if (held !== undefined && CREDIBILITY_COLUMNS.every((column, i) => held[column] === values[offset + i])) return held;
  if (credibilityPool.size >= CREDIBILITY_POOL_LIMIT) credibilityPool.clear();
  const row = Object.freeze(credibilityRow(values, offset));
  credibilityPool.set(did, row);
  return row;
}

/** What the caller already holds for a DID; `version: -1` means nothing. */
export interface CachedVersion {
  did: string;
  version: number;
  run: number;
  platformSet: number;
}

export interface LoadedAgent {
  did: string;
  version: number;
  /** The rows the engine reads, put in key order once here (orderAggregates), not on every report. */
  aggregates: AgentAggregates;
  /** Stored propagation results of this DID's counterparties. */
  credibility: Map<string, NodeCredibility>;
  /** The DID's own propagation row (its rater fairness as a client); null when the last run did not list it. */
  self: NodeCredibility | null;
  /** Platform DIDs this report weighs: its own platforms and counterparties that are platforms. */
  platformDids: string[];
}

export interface TrustReadResult {
  run: number;
  platformSet: number;
  versions: Map<string, number>;
  loaded: Map<string, LoadedAgent>;
  standings: Map<string, PlatformStanding>;
}

interface ReadRow {
  versions: Array<[string, string | number]>;
  run: string | number;
  platform_set: string | number;
  pairs: unknown[][] | null;
  client_pairs: unknown[][] | null;
  hours: unknown[][] | null;
  clients: unknown[][] | null;
  agent_platforms: unknown[][] | null;
  selves: unknown[][] | null;
  standings: unknown[][] | null;
}

/** The statement itself (exported for EXPLAIN in benchmarks). */
export interface TrustReadParameters {
  dids: readonly string[];
  versions: readonly number[];
  runs: readonly number[];
  sets: readonly number[];
  known: readonly string[];
  fromHour: number;
}

export function trustReadQuery(p: TrustReadParameters): RawBuilder<ReadRow> {
  // LATERAL subqueries fenced with OFFSET 0: the planner cannot estimate how many DIDs are stale and would
  // otherwise flatten them into hash joins over whole tables; a per-DID index lookup is right for one or a hundred.
  return sql<ReadRow>`
    with wanted as materialized (
      select w.did, w.cached_version, w.cached_run, w.cached_platform_set, coalesce(v.version, 0) as version
      from unnest(${p.dids}::text[], ${p.versions}::bigint[], ${p.runs}::bigint[], ${p.sets}::bigint[])
           as w(did, cached_version, cached_run, cached_platform_set)
      left join lateral (select version from trust_agent_version v where v.did = w.did offset 0) v on true
    ),
    epoch as materialized (
      select coalesce((select max(id) from trust_propagation_runs), 0)::bigint as run,
             coalesce((select value from trust_epochs where name = 'platform_set'), 0)::bigint as platform_set
    ),
    stale as materialized (
      select w.did from wanted w, epoch e
      where w.version <> w.cached_version or w.cached_run <> e.run or w.cached_platform_set <> e.platform_set
    ),
    pairs as materialized (
      select p.* from stale s cross join lateral (select * from trust_pair where subject_did = s.did offset 0) p
    ),
    agent_platforms as materialized (
      select a.* from stale s
      cross join lateral (select * from trust_agent_platform where did = s.did and role = 'subject' offset 0) a
    ),
    platform_dids as (
      select unnest(${p.known}::text[]) as did
      union select platform_did from agent_platforms
      union select counterparty_did from pairs
      union select did from wanted
    )
    select
      (select json_agg(json_build_array(did, version)) from wanted) as versions,
      (select run from epoch) as run,
      (select platform_set from epoch) as platform_set,
      (select json_agg(${jsonArray(['p', PAIR_COLUMNS], ['c', CREDIBILITY_COLUMNS])})
         from pairs p left join lateral (select * from trust_credibility where did = p.counterparty_did offset 0) c on true) as pairs,
      (select json_agg(${jsonArray(['p', PAIR_COLUMNS])})
         from stale s cross join lateral (
           select p.* from trust_pair p
           join trust_pair mine on mine.subject_did = p.counterparty_did and mine.counterparty_did = p.subject_did
           where p.counterparty_did = s.did offset 0) p) as client_pairs,
      (select json_agg(${jsonArray(['h', HOUR_COLUMNS])})
         from stale s cross join lateral (
           select * from trust_agent_hour where subject_did = s.did and hour >= ${p.fromHour} offset 0) h) as hours,
      (select json_agg(${jsonArray(['c', CLIENT_COLUMNS])})
         from stale s cross join lateral (select * from trust_client where client_did = s.did offset 0) c) as clients,
      (select json_agg(${jsonArray(['a', AGENT_PLATFORM_COLUMNS])}) from agent_platforms a) as agent_platforms,
      (select json_agg(json_build_array(s.did, ${sql.join(CREDIBILITY_COLUMNS.map((c) => sql.ref(`c.${snake(c)}`)))}))
         from stale s cross join lateral (select * from trust_credibility where did = s.did offset 0) c) as selves,
      (select json_agg(${jsonArray(['t', PLATFORM_COLUMNS], ['r', ['status', 'registeredAt']], ['s', ['credibleShare']])})
         from trust_platform t
         left join platforms r on r.did = t.platform_did
         left join trust_platform_credibility s on s.platform_did = t.platform_did
         where t.platform_did in (select did from platform_dids)) as standings
  `;
}

type Slot = 'dids' | 'versions' | 'runs' | 'sets' | 'known' | 'fromHour';

/**
 * The statement's text never changes, only its parameters: compile it once (with marker values that say which
 * parameter goes where) and send it as a prepared statement, so PostgreSQL plans it once per connection
 * (planning this statement costs more than running it on a warm read).
 */
function compileStatement(db: Db): { sql: string; slots: Slot[] } {
  const markers: TrustReadParameters = { dids: ['dids'], versions: [1], runs: [2], sets: [3], known: ['known'], fromHour: -0x7ea15 };
  const compiled = trustReadQuery(markers).compile(db);
  const slots = compiled.parameters.map((parameter): Slot => {
    const found = (Object.keys(markers) as Slot[]).find((key) => markers[key] === parameter);
    if (!found) throw new Error('trust read statement has an unexpected parameter');
    return found;
  });
  return { sql: `${preparedStatementMarker('credence_trust_read_v2')}\n${compiled.sql}`, slots };
}

let compiledStatement: { sql: string; slots: Slot[] } | undefined;

/**
 * Reads `cached` DIDs: anything whose version or epochs differ from what the caller holds is loaded in full
 * (hour buckets from `fromHour` on); `knownPlatformDids` are the platforms of the DIDs the caller will serve from
 * memory, whose standing is always read fresh.
 */
export async function readTrustInputs(
  db: Db,
  cached: readonly CachedVersion[],
  fromHour: number,
  knownPlatformDids: readonly string[],
): Promise<TrustReadResult> {
  const statement = (compiledStatement ??= compileStatement(db));
  const values: TrustReadParameters = {
    dids: cached.map((c) => c.did),
    versions: cached.map((c) => c.version),
    runs: cached.map((c) => c.run),
    sets: cached.map((c) => c.platformSet),
    known: knownPlatformDids,
    fromHour,
  };
  const result = await db.executeQuery<ReadRow>(CompiledQuery.raw(statement.sql, statement.slots.map((slot) => values[slot])));
  const row = result.rows[0]!;

  const versions = new Map(row.versions.map(([did, version]) => [did, Number(version)]));
  const loaded = new Map<string, LoadedAgent>();
  const cachedVersion = new Map(cached.map((c) => [c.did, c]));
  const run = Number(row.run);
  const platformSet = Number(row.platform_set);
  for (const [did, version] of versions) {
    const held = cachedVersion.get(did)!;
    if (held.version === version && held.run === run && held.platformSet === platformSet) continue;
    loaded.set(did, { did, version, aggregates: { pairs: [], clientPairs: [], buckets: [], client: null, platforms: [] }, credibility: new Map(), self: null, platformDids: [] });
  }

  const standings = new Map<string, PlatformStanding>();
  for (const values of row.standings ?? []) {
    const platform = platformRow(values);
    const [status, registeredAt, credibleShare] = values.slice(PLATFORM_COLUMNS.length) as [string | null, string | null, number | null];
    standings.set(sharedPlatformDid(platform.platformDid), {
      status: (status ? status.toLowerCase() : 'unknown') as PlatformStatus,
      registeredAtMs: registeredAt ? new Date(registeredAt).getTime() : null,
      // Only a platform without a registration is weighed by its own row (its age is the mean age of its evidence).
      // Leaving the row out otherwise means a held standing holds nothing its next receipt changes (`r:` notices).
      row: registeredAt ? null : platform,
      credibleShare,
    });
  }

  for (const values of row.pairs ?? []) {
    const pair = pairRow(values);
    const agent = loaded.get(pair.subjectDid);
    if (!agent) continue;
    agent.aggregates.pairs.push(pair);
    const credibility = values[PAIR_COLUMNS.length];
    if (credibility !== null && credibility !== undefined) {
      agent.credibility.set(pair.counterpartyDid, sharedCredibility(pair.counterpartyDid, values, PAIR_COLUMNS.length));
    }
    if (standings.has(pair.counterpartyDid)) agent.platformDids.push(pair.counterpartyDid);
  }
  for (const values of row.client_pairs ?? []) {
    const pair = pairRow(values);
    loaded.get(pair.counterpartyDid)?.aggregates.clientPairs.push(pair);
  }
  for (const values of row.hours ?? []) {
    const bucket = hourRow(values);
    loaded.get(bucket.subjectDid)?.aggregates.buckets.push(bucket);
  }
  for (const values of row.clients ?? []) {
    const client = clientRow(values);
    const agent = loaded.get(client.clientDid);
    if (agent) agent.aggregates.client = client;
  }
  for (const values of row.agent_platforms ?? []) {
    const platform = agentPlatformRow(values);
    const agent = loaded.get(platform.did);
    if (!agent) continue;
    agent.aggregates.platforms.push(platform);
    agent.platformDids.push(platform.platformDid);
  }
  for (const values of row.selves ?? []) {
    const agent = loaded.get(values[0] as string);
    if (agent) agent.self = credibilityRow(values, 1);
  }
  for (const agent of loaded.values()) {
    if (standings.has(agent.did)) agent.platformDids.push(agent.did);
    agent.platformDids = [...new Set(agent.platformDids)].map(sharedPlatformDid);
    // Key order once per load, so float sums never depend on row order and no read sorts again.
    agent.aggregates = orderAggregates(agent.aggregates);
  }
  return { run, platformSet, versions, loaded, standings };
}
