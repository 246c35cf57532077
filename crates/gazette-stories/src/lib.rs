//! gazette-stories (placeholder)
