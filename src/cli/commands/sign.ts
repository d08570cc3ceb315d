// `credence sign-settlement`, `sign-receipt` and `cosign`: what a platform (or a counterparty) signs.
import { readFile } from 'node:fs/promises';
import { cosignReceipt, signSettlementEvent, signTaskReceipt, type SettlementInput, type TaskReceiptInput } from '../../client/signing.ts';
import { readKeyFileForCommand } from './key-input.ts';
import { defineCommand, UsageError, type CommandInput } from './command.ts';

const KEY = { type: 'string', value: 'FILE', required: true, description: 'key file written by `credence keygen`' } as const;

/** A file's text, or stdin's for `-`. */
export async function readInput(source: string, input: Pick<CommandInput, 'io' | 'path'>): Promise<string> {
  if (source !== '-') return readFile(input.path(source), 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of input.io.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source === '-' ? 'stdin' : source} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const signSettlementCommand = defineCommand({
  name: 'sign-settlement',
  summary: 'sign a settlement event as a platform',
  synopsis: ['sign-settlement --key FILE [--jti ID] JSON|-'],
  description: `Print the settlement-event JWT for recordSettlement, signed by the platform's key. The input (a file,
or - for stdin) is {"settlement": {...}} or the settlement object itself: escrowId, jobId, depositor, beneficiary,
amount (decimal string), currency, usd, status (FUNDED, RELEASED, SETTLED, REFUNDED, DISPUTED, RESOLVED), ruling,
occurredAt (ISO-8601).`,
  options: { key: KEY, jti: { type: 'string', value: 'ID', description: 'the event id (default a new UUID); recording is idempotent by it' } },
  positionals: { name: 'JSON|-', min: 1, max: 1 },
  async run(input) {
    const source = input.positionals[0]!;
    const parsed = parseJson(await readInput(source, input), source) as { settlement?: SettlementInput } & SettlementInput;
    const key = await readKeyFileForCommand(input.string('key')!, input.io.cwd);
    const jti = input.string('jti');
    input.print(signSettlementEvent(key, parsed.settlement ?? parsed, jti ? { jti } : {}));
    return 0;
  },
});

export const signReceiptCommand = defineCommand({
  name: 'sign-receipt',
  summary: 'sign a task receipt (TaskReceiptCredential JWT) as a platform',
  synopsis: ['sign-receipt --key FILE [--id UUID] JSON|-'],
  description: `Print the TaskReceiptCredential JWT for submitReceipt, signed by the platform's key. The input (a file,
or - for stdin) is {"subject", "counterparty", "actionCategory", "actionType", "outcome", "value": {"amount",
"currency", "usd"}, "escrowId", "occurredAt"}.`,
  options: { key: KEY, id: { type: 'string', value: 'UUID', description: 'the receipt id (default a new UUID)' } },
  positionals: { name: 'JSON|-', min: 1, max: 1 },
  async run(input) {
    const source = input.positionals[0]!;
    const receipt = parseJson(await readInput(source, input), source) as TaskReceiptInput;
    const key = await readKeyFileForCommand(input.string('key')!, input.io.cwd);
    const id = input.string('id');
    input.print(signTaskReceipt(key, receipt, id ? { receiptId: id } : {}));
    return 0;
  },
});

export const cosignCommand = defineCommand({
  name: 'cosign',
  summary: 'co-sign a receipt JWT as its counterparty',
  synopsis: ['cosign --key FILE RECEIPT|-'],
  description: `Print the counterparty's co-signature over a receipt JWT (a file, or - for stdin). Pass it in
submitReceipt's cosignatures; a co-signed receipt without an escrow is COUNTERPARTY_SIGNED.`,
  options: { key: KEY },
  positionals: { name: 'RECEIPT|-', min: 1, max: 1 },
  async run(input) {
    const key = await readKeyFileForCommand(input.string('key')!, input.io.cwd);
    input.print(cosignReceipt(key, (await readInput(input.positionals[0]!, input)).trim()));
    return 0;
  },
});
