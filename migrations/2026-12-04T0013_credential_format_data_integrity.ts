// The third credential format, DATA_INTEGRITY (VC 2.0 with an eddsa-rdfc-2022 DataIntegrityProof): the format
// column's check constraint admits it. Existing rows are untouched.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table credentials drop constraint credentials_format_check`.execute(db);
  await sql`alter table credentials add constraint credentials_format_check check (format in ('JWT', 'JSON_LD', 'DATA_INTEGRITY'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Refuses (the constraint fails) while DATA_INTEGRITY credentials exist: they would have no format left.
  await sql`alter table credentials drop constraint credentials_format_check`.execute(db);
  await sql`alter table credentials add constraint credentials_format_check check (format in ('JWT', 'JSON_LD'))`.execute(db);
}
