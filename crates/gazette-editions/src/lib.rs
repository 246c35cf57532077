//! gazette-editions (placeholder)
