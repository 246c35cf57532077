//! gazette-ingest (placeholder)
