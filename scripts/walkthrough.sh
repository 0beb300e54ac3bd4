#!/usr/bin/env bash
# The README's walkthrough, runnable as is against `npm start` (and run by the e2e suite):
# sign in as the demo user, create a workspace, a prompt with variables, two versions and a
# `production` label, ingest a document, run it with retrieval over callables, then again
# over REST with an API key. Needs only curl and node.
set -euo pipefail
FUNCTIONS=${FUNCTIONS:-http://127.0.0.1:5001/demo-rag-prompt-library/us-central1}
AUTH=${AUTH:-http://127.0.0.1:9099}
EMAIL=${EMAIL:-demo@example.com}
PASSWORD=${PASSWORD:-demo-password}

json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o?.[k],JSON.parse(s));if(v===undefined){console.error("missing "+process.argv[1]+" in "+s);process.exit(1)}console.log(typeof v==="string"?v:JSON.stringify(v))})' "$1"; }
call() { curl -sS "$FUNCTIONS/$1" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "{\"data\":$2}"; }

# 1. Sign in (Auth emulator) and get an ID token, as the web SDK does.
TOKEN=$(curl -sS "$AUTH/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=local" \
  -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"returnSecureToken\":true}" | json idToken)

# 2. A workspace, a prompt with typed variables (version 1), a second version, a label.
WS=$(call createWorkspace '{"name":"Walkthrough"}' | json result.id)
PROMPT=$(call createPrompt "{\"workspaceId\":\"$WS\",\"name\":\"Support answer\",\"tags\":[\"support\"],
  \"template\":\"Answer in a {{tone}} tone: {{question}}\",
  \"variables\":[{\"name\":\"question\",\"type\":\"string\",\"required\":true},
                 {\"name\":\"tone\",\"type\":\"enum\",\"allowedValues\":[\"friendly\",\"formal\"],\"default\":\"friendly\"}]}" | json result.prompt.id)
V2=$(call createPromptVersion "{\"workspaceId\":\"$WS\",\"promptId\":\"$PROMPT\",\"message\":\"cite sources\",
  \"template\":\"You are a support agent. Answer in a {{tone}} tone and cite sources as [n].\\n\\nQuestion: {{question}}\",
  \"variables\":[{\"name\":\"question\",\"type\":\"string\",\"required\":true},
                 {\"name\":\"tone\",\"type\":\"enum\",\"allowedValues\":[\"friendly\",\"formal\"],\"default\":\"friendly\"}]}" | json result.version)
call setPromptLabel "{\"workspaceId\":\"$WS\",\"promptId\":\"$PROMPT\",\"label\":\"production\",\"version\":$V2}" > /dev/null
echo "workspace $WS, prompt $PROMPT, production -> v$V2"

# 3. Ingest a document (chunked and embedded on the spot).
DOC=$(call createDocument "{\"workspaceId\":\"$WS\",\"title\":\"Refund policy\",
  \"text\":\"# Refund policy\\n\\nCustomers get a full refund within 30 days of purchase.\\n\\n## How to ask\\n\\nWrite to support with the order number; refunds reach the card within 5 business days.\"}" | json result.id)
echo "document $DOC ingested"

# 4. Run the production version with retrieval over callables: an answer with citations.
RUN=$(call runExecution "{\"workspaceId\":\"$WS\",\"promptId\":\"$PROMPT\",\"label\":\"production\",
  \"variables\":{\"question\":\"How long do refunds take?\"},\"retrieval\":{\"topK\":3}}")
echo "callable execution: status $(echo "$RUN" | json result.status), citations $(echo "$RUN" | json result.citations | node -pe 'JSON.parse(require("fs").readFileSync(0)).map(c=>`[${c.index}] ${c.title}`).join(", ")')"
echo "$RUN" | json result.output

# 5. The same over REST with an API key (shown once; only its hash is stored).
KEY=$(call createApiKey "{\"workspaceId\":\"$WS\",\"name\":\"walkthrough\",\"scopes\":[\"prompts:read\",\"documents:read\",\"executions:run\",\"executions:read\"]}" | json result.secret)
REST=$(curl -sS -X POST "$FUNCTIONS/api/v1/workspaces/$WS/executions" -H "authorization: Bearer $KEY" -H 'content-type: application/json' \
  -d "{\"promptId\":\"$PROMPT\",\"label\":\"production\",\"variables\":{\"question\":\"How do I ask for a refund?\",\"tone\":\"formal\"},\"retrieval\":{\"topK\":3}}")
echo "REST execution: status $(echo "$REST" | json status), first citation: $(echo "$REST" | json citations.0.title)"
