//! Runnable examples of the s4e SDK live in `examples/*.rs`; this library is empty.
