//! gazette-text (placeholder)
