//! Placeholder.
#![doc(test(attr(deny(warnings))))]
