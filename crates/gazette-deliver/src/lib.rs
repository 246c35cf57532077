//! gazette-deliver (placeholder)
