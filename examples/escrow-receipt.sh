npx credence keygen --out .credence-keys/market.json > market.did
npx credence keygen --out .credence-keys/buyer.json > buyer.did

gql() { # gql QUERY [VARIABLES] [KEYFILE]: POST a GraphQL document; with KEYFILE, as that key's DID (a fresh token)
  h='accept: application/json'; [ -z "${3:-}" ] || h="authorization: Bearer $(npx credence token --key "$3")"
  jq -n --arg q "$1" --argjson v "${2:-null}" '{query: $q, variables: $v}' |
    curl -s "$CREDENCE_PUBLIC_URL/graphql" -H 'content-type: application/json' -H "$h" -d @-; echo
}
ago() { jq -nr --argjson s "$1" 'now - $s | floor | todate'; }  # ago SECONDS: that long ago, in ISO-8601 UTC

# 1. the marketplace registers; an admin approves it
gql 'mutation { registerPlatform(input: { name: "Market One" }) { ... on RegisterPlatformPayload { platform { did status } } ... on Error { code message } } }' \
  '' .credence-keys/market.json
gql 'mutation($d: String!) { approvePlatform(did: $d) { ... on PlatformPayload { platform { status } } ... on Error { code message } } }' \
  "{\"d\": \"$(cat market.did)\"}" .credence-keys/admin.json

# 2. it records the escrow through FUNDED -> RELEASED -> SETTLED, each event signed with its key
for state in FUNDED RELEASED SETTLED; do
  jq -n --arg s $state --arg d "$(cat buyer.did)" --arg b "$(cat agent.did)" --arg t "$(ago 3600)" \
    '{settlement: {escrowId: "esc_1", jobId: "job_1", depositor: $d, beneficiary: $b, amount: "500.00",
      currency: "USDC", usd: 500, status: $s, ruling: null, occurredAt: $t}}' > event.json
  gql 'mutation($e: String!) { recordSettlement(event: $e) { ... on RecordSettlementPayload { settlement { status } } ... on Error { code message } } }' \
    "{\"e\": \"$(npx credence sign-settlement --key .credence-keys/market.json event.json)\"}"
done

# 3. it signs and submits the task receipt; the settled escrow makes it ESCROW_VERIFIED
jq -n --arg a "$(cat agent.did)" --arg d "$(cat buyer.did)" --arg t "$(ago 1800)" \
  '{subject: $a, counterparty: $d, actionCategory: "economic.transaction", actionType: "escrow_release",
    outcome: "accepted", value: {amount: "500.00", currency: "USDC", usd: 500}, escrowId: "esc_1", occurredAt: $t}' > receipt.json
npx credence sign-receipt --key .credence-keys/market.json receipt.json > receipt.jwt
gql 'mutation($r: String!) { submitReceipt(receipt: $r) { ... on SubmitReceiptPayload { duplicate receipt { receiptId confidence } } ... on Error { code message } } }' \
  "{\"r\": \"$(cat receipt.jwt)\"}"

# 4. anyone reads it back
gql 'query($a: String!) { receipts(did: $a) { edges { node { receiptId confidence outcome valueUsd escrowId } } } }' "{\"a\": \"$(cat agent.did)\"}"
