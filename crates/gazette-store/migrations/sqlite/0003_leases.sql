-- Leases for running several processes on one store.

-- claim_due_sources: a claimed source is not claimed again before this instant
-- (microseconds), unless update_source records its poll first (which clears it).
ALTER TABLE sources ADD COLUMN claimed_until INTEGER;

-- Named locks held by one process until they expire (try_lock_scheduler).
CREATE TABLE locks (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
