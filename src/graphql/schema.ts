// Imports every type and operation module for its side effect on the builder, then builds the schema once.
import { builder } from './builder.ts';
import { describeGeneratedTypes } from './generated-descriptions.ts';
import './types/error.ts';
import './types/auth-error.ts';
import './types/input-error.ts';
import './types/conflict-error.ts';
import './types/not-found-error.ts';
import './types/signature-error.ts';
import './types/platform-error.ts';
import './types/rate-limit-error.ts';
import './types/agent.ts';
import './types/platform.ts';
import './types/service-info.ts';
import './operations/identity.ts';
import './operations/receipts.ts';
import './operations/trust.ts';
import './operations/credentials.ts';
import './operations/webhooks.ts';
import './operations/subscriptions.ts';
import './operations/nodes.ts';

export const schema = describeGeneratedTypes(builder.toSchema({ sortSchema: true }));
