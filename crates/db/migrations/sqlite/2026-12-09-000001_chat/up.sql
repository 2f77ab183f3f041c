-- The chat with a police officer or a gendarme. Operators (users with the role `operator`)
-- belong to a force, set their presence and answer a few chats at once; a victim's chat waits
-- in the queue until routed to one of them.
CREATE TABLE operators (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- police | gendarmerie | plateforme
    force TEXT NOT NULL,
    -- Sees the queue, the waits and every operator's load; manages the canned responses.
    supervisor BOOLEAN NOT NULL DEFAULT FALSE,
    -- disponible | occupe | absent
    presence TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    -- Since their last chat was assigned or ended: ties in routing go to the longest idle.
    idle_since TIMESTAMP NOT NULL,
    -- The console's last sign of life: an operator gone silent is set absent, their chats
    -- sent back to the head of the queue.
    seen_at TIMESTAMP NOT NULL
);

CREATE TABLE chats (
    id TEXT PRIMARY KEY NOT NULL,
    -- The victim reaches the chat by a secret token; only its digest is kept.
    token_hash TEXT NOT NULL UNIQUE,
    -- waiting | active | closed | abandoned
    status TEXT NOT NULL,
    -- police | gendarmerie | plateforme, or NULL: whoever is free.
    force TEXT,
    priority INTEGER NOT NULL,
    requeued BOOLEAN NOT NULL DEFAULT FALSE,
    operator_id TEXT REFERENCES users (id),
    -- The force of the operator who answered first: an anonymous fact kept after erasure.
    answered_force TEXT,
    -- The urgent assistance request it was queued from (at night): ended and erased with it.
    request_id TEXT REFERENCES assistance_requests (id),
    -- What the diagnostic established: the operator never asks the victim to retell it.
    journey_id TEXT,
    audience TEXT,
    incident_type TEXT,
    outcome TEXT,
    urgency TEXT,
    departement TEXT,
    -- The questions and answers as the operator reads them (JSON), erased with the transcript.
    summary TEXT NOT NULL,
    -- For the transcript and the summary at the end, if the victim gave it.
    victim_email TEXT,
    -- site | module
    channel TEXT NOT NULL,
    partner TEXT,
    client_hash TEXT NOT NULL,
    disposition TEXT,
    -- The service redirected to, or the operator's words for the victim.
    disposition_detail TEXT,
    -- Nobody was on duty: the victim left a message for the next operator.
    offline BOOLEAN NOT NULL DEFAULT FALSE,
    queued_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    closed_at TIMESTAMP,
    erased_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX chats_queue ON chats (status, requeued, priority, queued_at);
CREATE INDEX chats_operator ON chats (operator_id, status);
CREATE INDEX chats_closed ON chats (closed_at);
CREATE INDEX chats_request ON chats (request_id);

-- Every line of a chat, numbered per chat: the number is the event stream's id, so that a
-- reconnecting client asks for what follows the last one it has (Last-Event-ID).
CREATE TABLE chat_events (
    chat_id TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    -- victim | operator | system
    author TEXT NOT NULL,
    operator_id TEXT REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (chat_id, seq)
);

-- What operators note for themselves and their supervisors; never shown to the victim.
CREATE TABLE chat_notes (
    id TEXT PRIMARY KEY NOT NULL,
    chat_id TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    operator_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX chat_notes_chat ON chat_notes (chat_id, created_at);

-- Ready answers supervisors manage, offered in the console.
CREATE TABLE canned_responses (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
