//! Replay protection for trust lists and status lists: the highest sequence number a
//! verifier has accepted per list, kept in a small state file between runs.
//!
//! A replayed older list is genuinely signed, so nothing in it gives it away: an old trust
//! list may still name an issuer since removed, an old status list may predate a
//! revocation. Only the verifier's memory of what it saw catches it. The state is a JSON
//! object of list keys (see [`TrustList::replay_key`], [`StatusList::replay_key`]) to the
//! highest sequence accepted; it is written atomically (temporary file and rename), and two
//! verifiers racing on one file can at worst lose one raise, never lower a floor.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::trust::{StatusList, TrustList};
use crate::error::{Error, Result, ResultExt};
use crate::io::WriteOptions;
use crate::verify::{CheckOutcome, SubIndication};

/// The highest sequence number accepted per list.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReplayState {
    /// List key → highest sequence accepted.
    lists: BTreeMap<String, u64>,
}

/// The largest state file read (a few hundred bytes per list).
const MAX_STATE: u64 = 4 * 1024 * 1024;

impl ReplayState {
    /// Reads the state file at `path`; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<ReplayState> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(Error::Io(e)).in_file(path),
            Ok(m) if m.len() > MAX_STATE => {
                return Err(Error::decode("replay state", "larger than 4 MiB")).in_file(path);
            }
            Ok(_) => {}
        }
        let bytes = crate::io::read(path)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::decode("replay state (JSON)", e))
            .in_file(path)
    }

    /// Writes the state to `path` atomically, creating its directory.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::io::create_dir(dir)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| Error::decode("replay state", e))?;
        crate::io::write_atomic(path, &json, WriteOptions { force: true, private: false })
    }

    /// The lowest sequence still accepted for the list `key`.
    pub fn floor(&self, key: &str) -> u64 {
        self.lists.get(key).copied().unwrap_or(0)
    }

    /// Records that sequence `seq` of list `key` was accepted; returns true if that raised
    /// the floor.
    pub fn accept(&mut self, key: &str, seq: u64) -> bool {
        let floor = self.lists.entry(key.to_owned()).or_insert(0);
        let raised = seq > *floor;
        *floor = (*floor).max(seq);
        raised
    }

    /// Adds a failed `replay` check to `list` if it is older than one accepted before.
    pub fn check_trust_list(&self, list: &mut TrustList) {
        let floor = self.floor(&list.replay_key());
        if list.body.sequence < floor && !list.report.checks.iter().any(|c| c.check == "replay") {
            list.report.push(CheckOutcome::failed(
                "replay",
                SubIndication::FormatFailure,
                format!(
                    "sequence {} is older than #{floor}, which this verifier already accepted: \
                     a replayed list",
                    list.body.sequence
                ),
            ));
        }
    }

    /// Raises the floor a status list must reach to that accepted before.
    pub fn check_status_list(&self, list: &mut StatusList) {
        list.min_sequence = list.min_sequence.max(self.floor(&list.replay_key()));
    }

    /// Records every trust list that passed and every status list whose signature
    /// verified; returns true if anything changed.
    pub fn accept_lists(&mut self, lists: &[TrustList], statuses: &[StatusList]) -> bool {
        let mut changed = false;
        for l in lists.iter().filter(|l| l.report.is_valid()) {
            changed |= self.accept(&l.replay_key(), l.body.sequence);
        }
        for s in statuses.iter().filter(|s| s.signature_ok()) {
            changed |= self.accept(&s.replay_key(), s.body.sequence);
        }
        changed
    }
}

/// The default state file: `$SEAL_STATE_DIR/lists.json`, else
/// `$XDG_STATE_HOME/seal/lists.json`, else `~/.local/state/seal/lists.json` (on Windows
/// `%LOCALAPPDATA%\seal\lists.json`). None if no such directory is known.
pub fn default_state_file() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let dir = var("SEAL_STATE_DIR")
        .or_else(|| var("XDG_STATE_HOME").map(|d| d.join("seal")))
        .or_else(|| var("LOCALAPPDATA").map(|d| d.join("seal")))
        .or_else(|| var("HOME").map(|d| d.join(".local/state/seal")))?;
    Some(dir.join("lists.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_only_rise_and_survive_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/lists.json");
        let mut s = ReplayState::load(&path).unwrap();
        assert_eq!(s.floor("a"), 0);
        assert!(s.accept("a", 5));
        assert!(!s.accept("a", 3));
        assert!(!s.accept("a", 5));
        assert_eq!(s.floor("a"), 5);
        s.save(&path).unwrap();
        let back = ReplayState::load(&path).unwrap();
        assert_eq!(back, s);
        std::fs::write(&path, b"{not json").unwrap();
        let e = ReplayState::load(&path).unwrap_err().to_string();
        assert!(e.contains("lists.json"), "{e}");
    }
}
