//! Group commit for a remote signer: signatures asked for at the same time by several
//! threads (a batch stamping many files at once) go to the service together, in chunks of
//! the size it allows, each under one authorisation.
//!
//! A thread that asks while no chunk is in flight leads: it waits a moment ([`LINGER`]) for
//! others to join, or until a chunk is full, sends the chunk, and hands each waiting thread
//! its signature (or the chunk's error). Threads that ask meanwhile wait for the next chunk.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::keys::Signature;

/// How long a leader waits for more hashes before it sends a chunk that is not full.
const LINGER: Duration = Duration::from_millis(15);

#[derive(Default)]
struct Queue {
    next: u64,
    pending: Vec<(u64, Vec<u8>)>,
    done: HashMap<u64, Result<Signature>>,
    leading: bool,
}

/// The queue of hashes waiting for a chunk.
#[derive(Default)]
pub(super) struct Batcher {
    queue: Mutex<Queue>,
    changed: Condvar,
}

impl Batcher {
    /// Signs `hash` with the chunks `send` signs (at most `chunk` hashes each).
    pub(super) fn sign(
        &self,
        hash: Vec<u8>,
        chunk: usize,
        send: impl Fn(&[Vec<u8>]) -> Result<Vec<Signature>>,
    ) -> Result<Signature> {
        let poisoned = || Error::Signing("the remote signer's queue is poisoned".into());
        let mut q = self.queue.lock().map_err(|_| poisoned())?;
        let ticket = q.next;
        q.next += 1;
        q.pending.push((ticket, hash));
        self.changed.notify_all();
        loop {
            if let Some(r) = q.done.remove(&ticket) {
                return r;
            }
            if q.leading {
                q = self.changed.wait(q).map_err(|_| poisoned())?;
                continue;
            }
            // Lead: let others join, up to a full chunk.
            q.leading = true;
            let until = Instant::now() + LINGER;
            while q.pending.len() < chunk {
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                q = self.changed.wait_timeout(q, left).map_err(|_| poisoned())?.0;
            }
            let n = q.pending.len().min(chunk);
            let taken: Vec<(u64, Vec<u8>)> = q.pending.drain(..n).collect();
            drop(q);
            let hashes: Vec<Vec<u8>> = taken.iter().map(|(_, h)| h.clone()).collect();
            let result = send(&hashes);
            q = self.queue.lock().map_err(|_| poisoned())?;
            match result {
                Ok(sigs) => {
                    for ((t, _), s) in taken.into_iter().zip(sigs) {
                        q.done.insert(t, Ok(s));
                    }
                }
                Err(e) => {
                    for (t, _) in taken {
                        q.done.insert(t, Err(copy(&e)));
                    }
                }
            }
            q.leading = false;
            self.changed.notify_all();
        }
    }
}

/// The same error for every file of a failed chunk.
fn copy(e: &Error) -> Error {
    match e {
        Error::Remote { service, endpoint, status, code, description } => Error::Remote {
            service: service.clone(),
            endpoint: endpoint.clone(),
            status: *status,
            code: code.clone(),
            description: description.clone(),
        },
        other => Error::Signing(other.to_string()),
    }
}
