// Rules the receipt and credential services check, held by the database too, so no code path or race can break
// them: an escrow's terms never change once funded; an ESCROW_VERIFIED receipt carries its escrow's value and
// parties; a platform is a signed receipt's counterparty only where it reports as itself (identity, compliance,
// applications), never as a co-signer; a revoked credential is reissued (by an admin) at most once. Reputation
// credentials remember a hash of the numbers they sign, so an unchanged report is answered with the live credential
// instead of a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function settlements_terms_immutable() returns trigger language plpgsql as $$
    begin
      if new.depositor_did is distinct from old.depositor_did
        or new.beneficiary_did is distinct from old.beneficiary_did
        or new.amount is distinct from old.amount
        or new.currency is distinct from old.currency
        or new.value_usd is distinct from old.value_usd
        or new.job_id is distinct from old.job_id then
        raise exception 'settlement % terms are immutable once funded', old.escrow_id using errcode = '23514';
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger settlements_terms_immutable before update on settlements
    for each row execute function settlements_terms_immutable()`.execute(db);

  // Checked when a row is written or its terms change, not when it is revoked: a row stored before these rules can
  // always be revoked.
  await sql`
    create function receipts_integrity() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE'
        and row(new.confidence, new.value_usd, new.amount, new.currency, new.escrow_id, new.platform_did, new.subject_did, new.counterparty_did)
          is not distinct from
          row(old.confidence, old.value_usd, old.amount, old.currency, old.escrow_id, old.platform_did, old.subject_did, old.counterparty_did) then
        return new;
      end if;
      -- A platform is its own counterparty only where it reports as itself, and then never as a co-signer.
      if new.confidence <> 'IMPORTED' and new.counterparty_did = new.platform_did
        and (new.confidence = 'COUNTERPARTY_SIGNED'
          or not (new.action_category like 'identity.%' or new.action_category like 'compliance.%'
            or new.action_category = 'productivity.application')) then
        raise exception 'receipt %: the platform cannot be its counterparty here', new.receipt_id using errcode = '23514';
      end if;
      if new.confidence = 'ESCROW_VERIFIED' and not exists (
        select 1 from settlements s
        where s.platform_did = new.platform_did and s.escrow_id = new.escrow_id
          and s.value_usd = new.value_usd and s.amount = new.amount and s.currency = new.currency
          and s.beneficiary_did = new.subject_did and s.depositor_did = new.counterparty_did) then
        raise exception 'receipt % is not backed by escrow % at its value and parties', new.receipt_id, new.escrow_id
          using errcode = '23514';
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger receipts_integrity before insert or update on receipts
    for each row execute function receipts_integrity()`.execute(db);

  await db.schema
    .alterTable('credentials')
    .addColumn('subject_hash', 'text')
    .addColumn('reissue_of', 'text', (col) => col.references('credentials.id'))
    .execute();
  await db.schema
    .createIndex('credentials_reissue_of_uniq')
    .on('credentials')
    .column('reissue_of')
    .unique()
    .where('reissue_of', 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('credentials_reissue_of_uniq').ifExists().execute();
  await db.schema.alterTable('credentials').dropColumn('reissue_of').dropColumn('subject_hash').execute();
  await sql`drop trigger if exists receipts_integrity on receipts`.execute(db);
  await sql`drop function if exists receipts_integrity()`.execute(db);
  await sql`drop trigger if exists settlements_terms_immutable on settlements`.execute(db);
  await sql`drop function if exists settlements_terms_immutable()`.execute(db);
}
