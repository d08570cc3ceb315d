# 5. the agent asks for a task credential for its own escrow-verified receipt (asking again returns the same one)
RID=$(gql 'query($a: String!) { receipts(did: $a) { edges { node { receiptId } } } }' "{\"a\": \"$(cat agent.did)\"}" |
  jq -r '.data.receipts.edges[0].node.receiptId')
gql 'mutation($r: ID!) { issueCredential(input: { type: TASK_COMPLETION, format: JWT, receiptId: $r }) { ... on IssueCredentialPayload { credential { credentialId encoded } } ... on Error { code message } } }' \
  "{\"r\": \"$RID\"}" .credence-keys/agent.json > issued.json
jq -r .data.issueCredential.credential.encoded issued.json > task.jwt

# 6. anyone verifies it offline, from the DID document and status list the service publishes
curl -s "$CREDENCE_PUBLIC_URL/.well-known/did.json" > did.json
curl -s "$CREDENCE_PUBLIC_URL/credentials/status/1" > status.json
npx credence verify task.jwt --did-document did.json --status-list status.json; echo "exit $?"   # valid, exit 0

# 7. an admin revokes it: the bit is set and the status list re-signed; the same check now fails
gql 'mutation($id: ID!) { revokeCredential(id: $id, reason: "issued in error") { ... on RevokeCredentialPayload { credential { revoked } } ... on Error { code message } } }' \
  "$(jq -c '{id: .data.issueCredential.credential.credentialId}' issued.json)" .credence-keys/admin.json
curl -s "$CREDENCE_PUBLIC_URL/credentials/status/1" > status.json
npx credence verify task.jwt --did-document did.json --status-list status.json; echo "exit $?"   # invalid: revoked, exit 1

kill $SERVER; wait $SERVER 2> /dev/null   # done: stop the service
