//! Placeholder: this crate is filled by its own issue.
//!
//! ```
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![doc(test(attr(deny(warnings))))]
