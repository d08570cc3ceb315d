export CREDENCE_PUBLIC_URL=${CREDENCE_PUBLIC_URL:-http://localhost:4000}  # the service's URL; its DID derives from it
npx credence keygen --out .credence-keys/admin.json > admin.did          # prints the DID; the key stays in the 0600 file
CREDENCE_ADMIN_DIDS=$(cat admin.did) npx credence serve > credence.log 2>&1 &
SERVER=$!                                                                # stop it with: kill $SERVER
until curl -sf "$CREDENCE_PUBLIC_URL/ready" > /dev/null; do kill -0 $SERVER || break; sleep 1; done

npx credence keygen --out .credence-keys/agent.json > agent.did
TOKEN=$(npx credence token --key .credence-keys/agent.json)             # audience: the service's DID
curl -s "$CREDENCE_PUBLIC_URL/graphql" -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
  -d '{"query":"mutation { claimDid(input: { displayName: \"My agent\" }) { __typename ... on ClaimDidPayload { agent { did displayName claimedAt } } ... on Error { code message } } }"}'; echo
