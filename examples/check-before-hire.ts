import { createCredenceClient } from 'credence/client';

const credence = createCredenceClient({ url: process.env.CREDENCE_URL ?? 'http://localhost:4000' });
const agent = process.argv[2] ?? 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

const policy = { minTier: 'C', maxDisputeRate: 0.1, window: 'D90', rejectFlags: ['SYBIL_CLUSTER'] } as const;
const decision = await credence.checkTrust(agent, policy);
if (decision.allowed) console.log(`hire ${agent}: tier ${decision.report.tier}, score ${decision.report.score}`);
else console.log(`do not hire ${agent}: ${decision.reasons.join('; ')}`);
