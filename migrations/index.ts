// The ordered list of migrations. Imported statically so the same list runs under tsx, vitest and a bundler.
import type { Migration } from 'kysely';
import * as identity from './2026-11-21T0001_identity.ts';
import * as receipts from './2026-11-21T0002_receipts.ts';
import * as trust from './2026-11-21T0003_trust.ts';
import * as credentials from './2026-11-21T0004_credentials.ts';
import * as webhooks from './2026-11-21T0005_webhooks.ts';
import * as trustVersions from './2026-11-21T0007_trust_versions.ts';
import * as receiptIntegrity from './2026-12-04T0008_receipt_integrity.ts';
import * as trustFairnessAnchors from './2026-12-04T0009_trust_fairness_anchors.ts';
import * as trustInputNotifications from './2026-12-04T0012_trust_input_notifications.ts';
import * as credentialFormatDataIntegrity from './2026-12-04T0013_credential_format_data_integrity.ts';
import * as rateLimitBuckets from './2026-12-04T0014_rate_limit_buckets.ts';
import * as trustPlatformRowNotices from './2026-12-05T0015_trust_platform_row_notices.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-21T0001_identity': identity,
  '2026-11-21T0002_receipts': receipts,
  '2026-11-21T0003_trust': trust,
  '2026-11-21T0004_credentials': credentials,
  '2026-11-21T0005_webhooks': webhooks,
  '2026-11-21T0007_trust_versions': trustVersions,
  '2026-12-04T0008_receipt_integrity': receiptIntegrity,
  '2026-12-04T0009_trust_fairness_anchors': trustFairnessAnchors,
  '2026-12-04T0012_trust_input_notifications': trustInputNotifications,
  '2026-12-04T0013_credential_format_data_integrity': credentialFormatDataIntegrity,
  '2026-12-04T0014_rate_limit_buckets': rateLimitBuckets,
  '2026-12-05T0015_trust_platform_row_notices': trustPlatformRowNotices,
};
