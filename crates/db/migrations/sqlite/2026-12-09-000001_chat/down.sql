DROP TABLE canned_responses;
DROP TABLE chat_notes;
DROP TABLE chat_events;
DROP TABLE chats;
DROP TABLE operators;
