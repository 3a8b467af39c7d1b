//! Stamping documents with an electronic seal, and verifying stamped documents.

pub mod ofd;
