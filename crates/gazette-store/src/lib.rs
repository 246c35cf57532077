//! gazette-store (placeholder)
