// The webhook backlog for /metrics: events waiting for delivery in the outbox. The outbox table may not exist
// (an older schema), which reads as no backlog.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { WebhookBacklog } from './metrics.ts';

export async function readWebhookBacklog(db: Db): Promise<WebhookBacklog | null> {
  const table = await sql<{ present: boolean }>`select to_regclass('webhook_outbox') is not null as present`.execute(db);
  if (!table.rows[0]?.present) return null;
  // Waiting rows are what the delivery worker's partial index covers, so this stays cheap on a long history.
  const waiting = await sql<{ pending: number }>`
    select count(*)::int as pending from webhook_outbox where status in ('PENDING', 'DELIVERING')
  `.execute(db);
  return { pending: waiting.rows[0]?.pending ?? 0 };
}
