//! Shared helpers for the example binaries (argument parsing only).
