// Issued verifiable credentials and the Bitstring Status Lists that publish their revocation. Constraints hold the
// invariants when requests race: one credential per (list, index), indexes allocated from the list row under its lock.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('credential_status_lists')
    .addColumn('list_id', 'integer', (col) => col.primaryKey().check(sql`list_id > 0`))
    .addColumn('status_purpose', 'text', (col) => col.notNull().check(sql`status_purpose in ('revocation', 'suspension')`))
    .addColumn('length', 'integer', (col) => col.notNull().check(sql`length > 0 and length % 8 = 0`))
    // The next index to hand out; allocation is `update … set next_index = next_index + 1 … returning`.
    .addColumn('next_index', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('encoded_list', 'text', (col) => col.notNull())
    // The signed BitstringStatusListCredential exactly as served (text, so the ETag covers the bytes sent).
    .addColumn('signed_credential', 'text', (col) => col.notNull())
    .addColumn('etag', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addCheckConstraint('credential_status_lists_index_in_range', sql`next_index between 0 and length`)
    .execute();

  await db.schema
    .createTable('credentials')
    .addColumn('id', 'text', (col) => col.primaryKey().check(sql`id ~ '^urn:uuid:[0-9a-f-]{36}$'`))
    .addColumn('type', 'text', (col) => col.notNull().check(sql`type in ('TASK_COMPLETION', 'REPUTATION')`))
    .addColumn('format', 'text', (col) => col.notNull().check(sql`format in ('JWT', 'JSON_LD')`))
    .addColumn('subject_did', 'text', (col) => col.notNull())
    .addColumn('issuer_did', 'text', (col) => col.notNull())
    .addColumn('receipt_id', 'text', (col) => col.references('receipts.receipt_id'))
    .addColumn('status_list_id', 'integer', (col) => col.notNull().references('credential_status_lists.list_id'))
    .addColumn('status_index', 'integer', (col) => col.notNull().check(sql`status_index >= 0`))
    .addColumn('issued_at', 'timestamptz', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('encoded', 'text', (col) => col.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_reason', 'text', (col) => col.check(sql`char_length(revoked_reason) <= 500`))
    .addColumn('revoked_by', 'text')
    .addUniqueConstraint('credentials_status_uniq', ['status_list_id', 'status_index'])
    .addCheckConstraint('credentials_task_has_receipt', sql`(type = 'TASK_COMPLETION') = (receipt_id is not null)`)
    .addCheckConstraint('credentials_revocation_complete', sql`(revoked_at is null) = (revoked_reason is null)`)
    .execute();
  await db.schema.createIndex('credentials_subject_idx').on('credentials').columns(['subject_did', 'issued_at', 'id']).execute();
  await db.schema.createIndex('credentials_receipt_idx').on('credentials').column('receipt_id').where('receipt_id', 'is not', null).execute();
  await db.schema
    .createIndex('credentials_revoked_idx')
    .on('credentials')
    .columns(['status_list_id', 'revoked_at'])
    .where('revoked_at', 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['credentials', 'credential_status_lists']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
